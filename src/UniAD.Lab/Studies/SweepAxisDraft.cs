namespace UniAD.Lab.Studies;

/// <summary>A sweep key as the form edits it: the key and its values ("5, 10, 20", or "[3,3]; [5,5]").</summary>
public sealed class SweepAxisDraft
{
    public string Key { get; set; } = "";
    public string Values { get; set; } = "";
}
