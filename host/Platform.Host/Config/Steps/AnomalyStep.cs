using Platform.Host.Config.Binding;
using Platform.Operators.Anomaly;

namespace Platform.Host.Config.Steps;

/// <summary>
/// Streaming anomaly detection per key next to the windows (<c>op: anomaly</c>, needs key-by): every
/// record is scored; a score at or above <paramref name="Threshold"/> is an alert (dashboard and alert sinks).
/// </summary>
/// <param name="Threshold">Alert threshold on the score in [0, 1] (<c>threshold</c>, default 0.999).</param>
/// <param name="Detectors">Detectors that run (<c>detectors</c>, default [robust-z]; all: robust-z, ewma, seasonal, spectral-residual, change-point, isolation-forest, context).</param>
internal sealed record AnomalyStepConfig(double Threshold, EquatableList<string> Detectors) : StepConfig
{
    /// <summary>The YAML <c>op</c>.</summary>
    public const string OpName = "anomaly";

    /// <inheritdoc/>
    public override string Op => OpName;

    /// <summary>The detectors as the operator's flags.</summary>
    public AnomalyDetectors DetectorFlags => Detectors.Aggregate(AnomalyDetectors.None, (all, d) => all | AnomalyStep.Parse(d));
}

/// <summary>Binds <c>op: anomaly</c>.</summary>
internal static class AnomalyStep
{
    private static readonly string[] Names = ["robust-z", "ewma", "seasonal", "spectral-residual", "change-point", "isolation-forest", "context"];

    /// <summary>The registry entry.</summary>
    public static StepKind Kind { get; } = new(AnomalyStepConfig.OpName, [KeyByStepConfig.OpName], Bind, c =>
    {
        var a = (AnomalyStepConfig)c;
        return [ConfigYaml.Pair("threshold", ConfigYaml.Number(a.Threshold)), ConfigYaml.Pair("detectors", ConfigYaml.List(a.Detectors))];
    });

    /// <summary>A detector's YAML name as its flag.</summary>
    public static AnomalyDetectors Parse(string name) => name switch
    {
        "robust-z" => AnomalyDetectors.RobustZ,
        "ewma" => AnomalyDetectors.Ewma,
        "seasonal" => AnomalyDetectors.Seasonal,
        "spectral-residual" => AnomalyDetectors.SpectralResidual,
        "change-point" => AnomalyDetectors.ChangePoint,
        "isolation-forest" => AnomalyDetectors.IsolationForest,
        "context" => AnomalyDetectors.Context,
        _ => AnomalyDetectors.None,
    };

    private static AnomalyStepConfig? Bind(MappingReader reader)
    {
        var errors = reader.Context.Errors.Count;
        var threshold = reader.Double("threshold", AnomalyDetectorOptions.DefaultThreshold, 0, 1);
        var list = reader.ScalarList("detectors", "[robust-z, ewma]");
        var detectors = new List<string>();
        foreach (var (text, node) in list ?? [])
        {
            if (!Names.Contains(text, StringComparer.Ordinal))
            {
                reader.Context.Error(node, $"unknown detector '{text}'", DidYouMean.Hint(text, Names, "detectors"));
            }
            else if (!detectors.Contains(text, StringComparer.Ordinal))
            {
                detectors.Add(text);
            }
        }
        if (list is { Count: 0 })
        {
            reader.Context.Error(reader.Get("detectors"), "'detectors' is empty", "name at least one, e.g. 'detectors: [robust-z]'");
        }
        if (detectors.Count == 0) detectors.Add("robust-z");
        return reader.Context.Errors.Count == errors ? new AnomalyStepConfig(threshold, new EquatableList<string>(detectors)) : null;
    }
}
