namespace UniAD.Lab.Studies;

/// <summary>A variant as the form edits it: a name and its overrides, one per line.</summary>
public sealed class VariantDraft
{
    public string Name { get; set; } = "";
    public string Overrides { get; set; } = "";
}
