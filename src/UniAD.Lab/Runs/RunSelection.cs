namespace UniAD.Lab.Runs;

/// <summary>Which runs a bulk action takes: these ids, every run of a group, or every run of a study.</summary>
public sealed record RunSelection(IReadOnlyList<int>? Ids = null, string? Group = null, int? StudyId = null);
