namespace Platform.Host.Dashboard;

/// <summary>
/// What the dashboard shows about checkpoints. The checkpoint work supplies it through
/// <see cref="DashboardSource.Checkpoints"/>; without a provider the dashboard shows "off".
/// </summary>
/// <param name="Status">E.g. <c>ok</c>, <c>in-progress</c>, <c>failed</c>.</param>
/// <param name="LastId">Id of the last complete checkpoint.</param>
/// <param name="LastCompleted">When it completed.</param>
/// <param name="LastDuration">How long it took.</param>
internal sealed record DashboardCheckpoint(string Status, long? LastId = null, DateTimeOffset? LastCompleted = null, TimeSpan? LastDuration = null);
