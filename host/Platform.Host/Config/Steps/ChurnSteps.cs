using Platform.Host.Config.Binding;

namespace Platform.Host.Config.Steps;

/// <summary>
/// Per-customer churn features in keyed state (<c>op: churn-features</c>; keys by customer, after alias
/// resolution): when customers whose features changed are scored, and how often everyone is re-scored.
/// </summary>
/// <param name="ScoreChangedEvery">Event time between rounds that score changed customers (<c>score-changed-every</c>, default 15m).</param>
/// <param name="RescoreEvery">Event time between re-scores of everyone (<c>rescore-every</c>, default 1d).</param>
internal sealed record ChurnFeaturesStepConfig(TimeSpan ScoreChangedEvery, TimeSpan RescoreEvery) : StepConfig
{
    /// <summary>The YAML <c>op</c>.</summary>
    public const string OpName = "churn-features";

    /// <inheritdoc/>
    public override string Op => OpName;
}

/// <summary>
/// Scores the features (<c>op: churn-score</c>; needs churn-features): the ML.NET model of
/// <c>platform train churn</c>, reloaded when the file changes, or the seed's rules while there is none.
/// </summary>
/// <param name="Model">The model file as written (<c>model</c>; absent: the rules only).</param>
/// <param name="FullModelPath">Resolved against the working directory, where <c>platform train churn --out</c> wrote it.</param>
/// <param name="Poll">How often the file is checked for a new model (<c>poll</c>, default 5s).</param>
/// <param name="MinChange">A trait update goes out when the score moved at least this much (<c>min-change</c>, default 0.01) or its band changed.</param>
internal sealed record ChurnScoreStepConfig(string? Model, string? FullModelPath, TimeSpan Poll, double MinChange) : StepConfig
{
    /// <summary>The YAML <c>op</c>.</summary>
    public const string OpName = "churn-score";

    /// <inheritdoc/>
    public override string Op => OpName;
}

/// <summary>Binds <c>op: churn-features</c>.</summary>
internal static class ChurnFeaturesStep
{
    /// <summary>The registry entry.</summary>
    public static StepKind Kind { get; } = new(ChurnFeaturesStepConfig.OpName, [], Bind, Write);

    private static IEnumerable<KeyValuePair<string, string>> Write(StepConfig config)
    {
        var c = (ChurnFeaturesStepConfig)config;
        return [ConfigYaml.Pair("score-changed-every", ConfigYaml.Duration(c.ScoreChangedEvery)), ConfigYaml.Pair("rescore-every", ConfigYaml.Duration(c.RescoreEvery))];
    }

    private static ChurnFeaturesStepConfig? Bind(MappingReader reader)
    {
        var errors = reader.Context.Errors.Count;
        var changed = reader.Duration("score-changed-every", TimeSpan.FromMinutes(15), TimeSpan.Zero);
        var all = reader.Duration("rescore-every", TimeSpan.FromDays(1), TimeSpan.FromSeconds(1));
        return reader.Context.Errors.Count == errors ? new ChurnFeaturesStepConfig(changed, all) : null;
    }
}

/// <summary>Binds <c>op: churn-score</c>.</summary>
internal static class ChurnScoreStep
{
    /// <summary>The registry entry.</summary>
    public static StepKind Kind { get; } = new(ChurnScoreStepConfig.OpName, [ChurnFeaturesStepConfig.OpName], Bind, Write);

    private static IEnumerable<KeyValuePair<string, string>> Write(StepConfig config)
    {
        var c = (ChurnScoreStepConfig)config;
        var pairs = new List<KeyValuePair<string, string>>();
        if (c.Model is not null) pairs.Add(ConfigYaml.Pair("model", ConfigYaml.Text(c.Model)));
        pairs.Add(ConfigYaml.Pair("poll", ConfigYaml.Duration(c.Poll)));
        pairs.Add(ConfigYaml.Pair("min-change", ConfigYaml.Number(c.MinChange)));
        return pairs;
    }

    private static ChurnScoreStepConfig? Bind(MappingReader reader)
    {
        var errors = reader.Context.Errors.Count;
        var model = reader.String("model");
        var poll = reader.Duration("poll", TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(100));
        var minChange = reader.Double("min-change", 0.01, 0, 0.99);
        return reader.Context.Errors.Count == errors
            ? new ChurnScoreStepConfig(model, model is null ? null : reader.Context.ResolveOutput(model), poll, minChange)
            : null;
    }
}
