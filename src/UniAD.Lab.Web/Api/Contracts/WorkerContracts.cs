using UniAD.Lab.Workers;

namespace UniAD.Lab.Web.Api.Contracts;

/// <summary>A process that trains runs.</summary>
/// <param name="Name"><c>host:pid</c>, as runs record it.</param>
/// <param name="State"><c>live</c>, <c>draining</c> (live, an admin stopped it taking new runs), <c>stopped</c> (on its
/// own) or <c>silent</c> (no heartbeat for longer than Lab:Worker:DeadAfterSeconds: taken for dead).</param>
/// <param name="RunId">The run it is training, if any.</param>
/// <param name="StartedAt">UTC, as every time here.</param>
public sealed record WorkerResponse(string Name, string Host, IReadOnlyList<string> Devices, IReadOnlyList<string> Queues, string CodeVersion,
    string State, DateTimeOffset StartedAt, DateTimeOffset LastHeartbeat, DateTimeOffset? StoppedAt, int? RunId, string? RunName)
{
    public static WorkerResponse Of(WorkerRow w) =>
        new(w.Name, w.Host, w.Devices, w.Queues, w.CodeVersion, w.State, w.StartedAt, w.LastHeartbeat, w.StoppedAt, w.RunId, w.RunName);
}
