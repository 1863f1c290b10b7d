namespace Platform.Operators.Churn;

/// <summary>Turns a feature vector into a churn probability. One instance per worker (not thread-safe).</summary>
public interface IChurnScorer
{
    /// <summary>The version written with each score ("heuristic-v1", or the model file's version).</summary>
    string Version { get; }

    /// <summary>True for a trained model, false for the rules.</summary>
    bool IsModel { get; }

    /// <summary>The unclamped churn probability for <paramref name="features"/> (<see cref="ChurnFeatures"/> order).</summary>
    double Score(ReadOnlySpan<float> features);
}

/// <summary>
/// The seed's rule-based estimate (004 §3, used when no model is configured): 0.5, plus 0.01 per day of
/// inactivity, minus 0.00001 per unit deposited, minus 0.02 per gaming level, plus 0.1 without Twitch.
/// </summary>
public sealed class HeuristicChurnScorer : IChurnScorer
{
    /// <summary>The version label of the rules.</summary>
    public const string RulesVersion = "heuristic-v1";

    /// <inheritdoc />
    public string Version => RulesVersion;

    /// <inheritdoc />
    public bool IsModel => false;

    /// <inheritdoc />
    public double Score(ReadOnlySpan<float> features)
    {
        var risk = 0.5;
        risk += features[0] * 0.01;
        risk -= features[2] * 0.00001;
        risk -= features[7] * 0.02;
        if (features[8] < 0.5f) risk += 0.1;
        return risk;
    }
}
