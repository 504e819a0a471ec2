using System.Text.Json;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace UniAD.Lab.Persistence;

/// <summary>A list of records kept as one JSON text column (a study's variants, its sweep axes): read and written whole,
/// never queried inside. Serializer defaults (property names as in C#) keep the rows older labs wrote readable.</summary>
public sealed class JsonColumnConverter<T>() : ValueConverter<List<T>, string>(
    list => JsonSerializer.Serialize(list, (JsonSerializerOptions?)null),
    json => string.IsNullOrEmpty(json) ? new List<T>() : JsonSerializer.Deserialize<List<T>>(json, (JsonSerializerOptions?)null) ?? new List<T>())
{
    /// <summary>Compares lists by content, so that editing a list in place is saved.</summary>
    public static ValueComparer<List<T>> Comparer { get; } = new(
        (a, b) => JsonSerializer.Serialize(a, (JsonSerializerOptions?)null) == JsonSerializer.Serialize(b, (JsonSerializerOptions?)null),
        list => JsonSerializer.Serialize(list, (JsonSerializerOptions?)null).GetHashCode(),
        list => JsonSerializer.Deserialize<List<T>>(JsonSerializer.Serialize(list, (JsonSerializerOptions?)null), (JsonSerializerOptions?)null)!);
}
