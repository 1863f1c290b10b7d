using Platform.Host.Config.Binding;

namespace Platform.Host.Config.Steps;

/// <summary>
/// Data-quality monitor of freshness (<c>op: freshness</c>): no record from the source for
/// <paramref name="MaxSilence"/> (processing time) raises an alert; with <paramref name="KeySilence"/> &gt; 0,
/// so does a key (device × sensor) that stays silent that long in event time while others go on.
/// </summary>
internal sealed record FreshnessStepConfig(TimeSpan MaxSilence, TimeSpan KeySilence) : StepConfig
{
    /// <summary>The YAML <c>op</c>.</summary>
    public const string OpName = "freshness";

    /// <inheritdoc/>
    public override string Op => OpName;
}

/// <summary>Data-quality monitor of volume (<c>op: volume</c>): records per window outside a learned band.</summary>
internal sealed record VolumeStepConfig(TimeSpan Window, double Tolerance, double MinDeviation, int WarmUp) : StepConfig
{
    /// <summary>The YAML <c>op</c>.</summary>
    public const string OpName = "volume";

    /// <inheritdoc/>
    public override string Op => OpName;
}

/// <summary>Data-quality monitor of schema drift (<c>op: schema-drift</c>): new, missing, retyped fields, share of nulls.</summary>
internal sealed record SchemaDriftStepConfig(long SampleBytes, int WarmUp, int Window, double NullShare, double MissingShare) : StepConfig
{
    /// <summary>The YAML <c>op</c>.</summary>
    public const string OpName = "schema-drift";

    /// <inheritdoc/>
    public override string Op => OpName;
}

/// <summary>Binds the three data-quality monitors.</summary>
internal static class QualitySteps
{
    /// <summary><c>op: freshness</c>.</summary>
    public static StepKind Freshness { get; } = new(FreshnessStepConfig.OpName, [], BindFreshness, c =>
    {
        var f = (FreshnessStepConfig)c;
        return [ConfigYaml.Pair("max-silence", ConfigYaml.Duration(f.MaxSilence)), ConfigYaml.Pair("key-silence", ConfigYaml.Duration(f.KeySilence))];
    });

    /// <summary><c>op: volume</c>.</summary>
    public static StepKind Volume { get; } = new(VolumeStepConfig.OpName, [], BindVolume, c =>
    {
        var v = (VolumeStepConfig)c;
        return
        [
            ConfigYaml.Pair("window", ConfigYaml.Duration(v.Window)),
            ConfigYaml.Pair("tolerance", ConfigYaml.Number(v.Tolerance)),
            ConfigYaml.Pair("min-deviation", ConfigYaml.Number(v.MinDeviation)),
            ConfigYaml.Pair("warm-up", ConfigYaml.Number(v.WarmUp)),
        ];
    });

    /// <summary><c>op: schema-drift</c>.</summary>
    public static StepKind SchemaDrift { get; } = new(SchemaDriftStepConfig.OpName, [], BindSchema, c =>
    {
        var s = (SchemaDriftStepConfig)c;
        return
        [
            ConfigYaml.Pair("sample-every", ConfigYaml.Size(s.SampleBytes)),
            ConfigYaml.Pair("warm-up", ConfigYaml.Number(s.WarmUp)),
            ConfigYaml.Pair("window", ConfigYaml.Number(s.Window)),
            ConfigYaml.Pair("null-share", ConfigYaml.Number(s.NullShare)),
            ConfigYaml.Pair("missing-share", ConfigYaml.Number(s.MissingShare)),
        ];
    });

    private static FreshnessStepConfig? BindFreshness(MappingReader reader)
    {
        var errors = reader.Context.Errors.Count;
        var silence = reader.Duration("max-silence", TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(10));
        var keySilence = reader.Duration("key-silence", TimeSpan.Zero, TimeSpan.Zero);
        return reader.Context.Errors.Count == errors ? new FreshnessStepConfig(silence, keySilence) : null;
    }

    private static VolumeStepConfig? BindVolume(MappingReader reader)
    {
        var errors = reader.Context.Errors.Count;
        var window = reader.Duration("window", TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(10));
        var tolerance = reader.Double("tolerance", 3, 0.1, 100);
        var minDeviation = reader.Double("min-deviation", 0.2, 0, 0.99);
        var warmUp = reader.Int32("warm-up", 5, 2, 10_000);
        return reader.Context.Errors.Count == errors ? new VolumeStepConfig(window, tolerance, minDeviation, warmUp) : null;
    }

    private static SchemaDriftStepConfig? BindSchema(MappingReader reader)
    {
        var errors = reader.Context.Errors.Count;
        var sample = reader.Size("sample-every", 16 * 1024, 64, 64L << 20);
        var warmUp = reader.Int32("warm-up", 200, 1, 1_000_000);
        var window = reader.Int32("window", 200, 1, 1_000_000);
        var nullShare = reader.Double("null-share", 0.5, 0.001, 1);
        var missingShare = reader.Double("missing-share", 0.5, 0.001, 1);
        return reader.Context.Errors.Count == errors ? new SchemaDriftStepConfig(sample, warmUp, window, nullShare, missingShare) : null;
    }
}
