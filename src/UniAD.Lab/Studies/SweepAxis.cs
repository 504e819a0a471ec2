namespace UniAD.Lab.Studies;

/// <summary>One config key of a sweep and the values it takes (each as an override would write it: <c>5</c>, <c>[5,5]</c>, <c>"none"</c>).</summary>
public sealed record SweepAxis(string Key, IReadOnlyList<string> Values);
