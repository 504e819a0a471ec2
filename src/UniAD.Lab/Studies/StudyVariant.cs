namespace UniAD.Lab.Studies;

/// <summary>One variant of a study: a name and the overrides that turn the base config into it.</summary>
public sealed record StudyVariant(string Name, IReadOnlyList<string> Overrides);
