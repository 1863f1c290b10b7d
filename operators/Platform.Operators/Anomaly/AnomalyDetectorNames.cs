namespace Platform.Operators.Anomaly;

/// <summary>
/// The short detector names of <c>platform nab --detector</c>, the anomaly benchmarks and tests (YAML steps spell them
/// out: <c>robust-z</c>, <c>isolation-forest</c>, …). One table, so a detector added here is run everywhere.
/// </summary>
public static class AnomalyDetectorNames
{
    /// <summary>Every name with the detectors it runs: each detector alone, then the combinations.</summary>
    public static IReadOnlyList<(string Name, AnomalyDetectors Detectors)> All { get; } =
    [
        ("robustz", AnomalyDetectors.RobustZ),
        ("ewma", AnomalyDetectors.Ewma),
        ("seasonal", AnomalyDetectors.Seasonal),
        ("spectral", AnomalyDetectors.SpectralResidual),
        ("cusum", AnomalyDetectors.ChangePoint),
        ("iforest", AnomalyDetectors.IsolationForest),
        ("ensemble", AnomalyDetectors.All),
        ("context", AnomalyDetectors.Context),
        ("ensemble-context", AnomalyDetectors.All | AnomalyDetectors.Context),
    ];

    /// <summary>The detectors <paramref name="name"/> runs (case-insensitive).</summary>
    /// <exception cref="ArgumentException">The name is not in <see cref="All"/>.</exception>
    public static AnomalyDetectors Parse(string name)
    {
        foreach (var (known, detectors) in All)
        {
            if (known.Equals(name, StringComparison.OrdinalIgnoreCase)) return detectors;
        }
        throw new ArgumentException($"Unknown detector '{name}'; use one of: {string.Join(", ", All.Select(d => d.Name))}.", nameof(name));
    }
}
