namespace Platform.Connectors.DurableLog;

/// <summary>When the log forces appended bytes to stable storage.</summary>
public enum FsyncPolicy
{
    /// <summary>fsync every group commit before acknowledging it: survives power loss.</summary>
    Always,

    /// <summary>Write every group before acknowledging it (survives a process kill), fsync at most once per interval.</summary>
    Interval,

    /// <summary>Write before acknowledging, leave flushing to the OS (survives a process kill, not a power loss).</summary>
    Never,
}

/// <summary>The outcome of an append.</summary>
public enum AppendStatus
{
    /// <summary>Written (and fsynced per the policy): safe to acknowledge.</summary>
    Committed,

    /// <summary>The log's group-commit buffer is full: ask the client to retry later (HTTP 429).</summary>
    Full,

    /// <summary>The log is closed or failed to write: nothing was stored (HTTP 503).</summary>
    Unavailable,
}
