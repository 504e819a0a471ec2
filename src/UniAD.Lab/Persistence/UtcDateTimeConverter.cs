using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace UniAD.Lab.Persistence;

/// <summary>Every time the lab stores is UTC, and reads back as UTC. SQLite keeps times as text without a zone, so without
/// this a time read back is "unspecified" and goes out in JSON without its offset; PostgreSQL's timestamptz refuses
/// anything but UTC outright. A time that arrives unspecified was taken with DateTime.UtcNow.</summary>
public sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
    time => time.Kind == DateTimeKind.Local ? time.ToUniversalTime() : DateTime.SpecifyKind(time, DateTimeKind.Utc),
    stored => DateTime.SpecifyKind(stored, DateTimeKind.Utc));
