using Platform.Host.Config;
using Platform.Host.Config.Steps;

namespace Platform.Host.Running;

/// <summary>How a changed pipeline file is applied to the running daemon.</summary>
internal enum ReloadKind
{
    /// <summary>Nothing that matters changed.</summary>
    None,
    /// <summary>Alert sinks, alert limits, monitor thresholds, the run report: swapped in place, the pipeline runs on.</summary>
    Live,
    /// <summary>Operators, sinks, parser settings: stop at a checkpoint barrier, rebuild, restore from that checkpoint.</summary>
    Restart,
    /// <summary>Not applied; <see cref="ReloadDecision.Reason"/> says why. The pipeline stays as it was.</summary>
    Rejected,
}

/// <summary>The decision about one change, with the reason shown to the operator.</summary>
internal sealed record ReloadDecision(ReloadKind Kind, string Reason);

/// <summary>Compares the running config with a new valid one and decides how (and whether) to apply it.</summary>
internal static class ReloadPlan
{
    public static ReloadDecision Decide(PipelineConfig running, PipelineConfig next, bool checkpointsOn)
    {
        if (running == next) return new(ReloadKind.None, "no change");
        var fixedChange = FixedChange(running, next);
        if (fixedChange is not null)
        {
            return new(ReloadKind.Rejected, $"{fixedChange} changed; that needs a restart of the daemon (its state would not fit), so the change is not applied");
        }
        if (Rebuilt(running) == Rebuilt(next))
        {
            return new(ReloadKind.Live, "alert and monitor settings applied in place");
        }
        return checkpointsOn
            ? new(ReloadKind.Restart, "operators, sinks or parser settings changed: stopping at a checkpoint barrier, rebuilding, restoring from it")
            : new(ReloadKind.Rejected, "applying this change keeps the pipeline's state only through a checkpoint; add a 'checkpoint' section (or pass --checkpoint-dir), so the change is not applied");
    }

    /// <summary>The part of the config whose change needs a full restart (source, keys, windows, runtime…), named.</summary>
    private static string? FixedChange(PipelineConfig a, PipelineConfig b)
    {
        if (a.Name != b.Name) return "'name'";
        if (a.Source != b.Source) return "'source'";
        if (a.Format != b.Format) return "'format'";
        if (a.EventTime != b.EventTime) return "'event-time'";
        if (a.Runtime != b.Runtime) return "'runtime'";
        if (a.Http != b.Http) return "'http'";
        if (a.Checkpoint != b.Checkpoint) return "'checkpoint'";
        if (a.DeadLetter != b.DeadLetter) return "'dead-letter'";
        if (a.Tracing != b.Tracing) return "'tracing'";
        if (!Core(a).SequenceEqual(Core(b))) return "a key-by, window or aggregate step";
        return null;
    }

    private static IEnumerable<StepConfig> Core(PipelineConfig c) =>
        c.Steps.Where(s => s is KeyByStepConfig or WindowStepConfig or AggregateStepConfig);

    /// <summary>What a rebuild changes: the config without the parts applied in place.</summary>
    private static PipelineConfig Rebuilt(PipelineConfig c) => c with
    {
        Alerts = null,
        RunReport = null,
        Steps = new EquatableList<StepConfig>(c.Steps
            .Where(s => s is not (VolumeStepConfig or SchemaDriftStepConfig))
            // Per-key freshness lives in the keyed workers; the source-level limit is applied in place.
            .Select(s => s is FreshnessStepConfig f ? new FreshnessStepConfig(TimeSpan.Zero, f.KeySilence) : s)
            .Where(s => s is not FreshnessStepConfig { KeySilence.Ticks: 0 })),
    };
}
