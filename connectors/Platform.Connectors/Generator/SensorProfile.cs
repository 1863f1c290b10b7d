namespace Platform.Connectors.Generator;

/// <summary>
/// How the generator simulates one sensor type: its name and unit as written, the range each
/// device's baseline is drawn from, the noise around that baseline and how big injected anomalies are.
/// </summary>
/// <param name="Name">The <c>sensorType</c> written ("temperature").</param>
/// <param name="Unit">The payload's <c>unit</c> ("Celsius").</param>
/// <param name="BaselineMin">Lowest per-device baseline (for a vector sensor: of the z axis).</param>
/// <param name="BaselineMax">Highest per-device baseline.</param>
/// <param name="Noise">Half-width of the (triangular) noise added to every reading.</param>
/// <param name="AnomalyMagnitude">Size of a spike; a level shift moves the baseline by half of it.</param>
/// <param name="IsVector">True for an x/y/z payload (vibration: x and y around 0, z around the baseline).</param>
public sealed record SensorProfile(
    string Name,
    string Unit,
    double BaselineMin,
    double BaselineMax,
    double Noise,
    double AnomalyMagnitude,
    bool IsVector = false)
{
    /// <summary>Air temperature in degrees Celsius.</summary>
    public static SensorProfile Temperature { get; } = new("temperature", "Celsius", 15, 30, 0.5, 25);

    /// <summary>Relative humidity in percent.</summary>
    public static SensorProfile Humidity { get; } = new("humidity", "%", 30, 70, 2, 40);

    /// <summary>Barometric pressure in hectopascal.</summary>
    public static SensorProfile Pressure { get; } = new("pressure", "hPa", 990, 1030, 1.5, 60);

    /// <summary>Acceleration x/y/z in m/s² (z carries gravity).</summary>
    public static SensorProfile Vibration { get; } = new("vibration", "m/s2", 9.7, 9.9, 0.4, 30, IsVector: true);

    /// <summary>The four sensor types of the standard telemetry workload.</summary>
    public static IReadOnlyList<SensorProfile> Defaults { get; } = [Temperature, Humidity, Pressure, Vibration];

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(Name) || !IsPlainAscii(Name)) throw new ArgumentException($"Sensor name '{Name}' must be non-empty printable ASCII without quotes or backslashes.");
        if (string.IsNullOrWhiteSpace(Unit) || !IsPlainAscii(Unit)) throw new ArgumentException($"Unit '{Unit}' of sensor '{Name}' must be non-empty printable ASCII without quotes or backslashes.");
        if (!(BaselineMin <= BaselineMax) || !double.IsFinite(BaselineMin) || !double.IsFinite(BaselineMax)) throw new ArgumentException($"Sensor '{Name}': baseline range [{BaselineMin}, {BaselineMax}] is invalid.");
        if (!(Noise >= 0) || !double.IsFinite(Noise)) throw new ArgumentException($"Sensor '{Name}': noise must be >= 0.");
        if (!(AnomalyMagnitude >= 0) || !double.IsFinite(AnomalyMagnitude)) throw new ArgumentException($"Sensor '{Name}': anomaly magnitude must be >= 0.");
        if (Math.Max(Math.Abs(BaselineMin), Math.Abs(BaselineMax)) + Noise + AnomalyMagnitude * 1.5 > 1e9) throw new ArgumentException($"Sensor '{Name}': values must stay within ±1e9.");
    }

    private static bool IsPlainAscii(string s)
    {
        if (s.Length > 64) return false;
        foreach (var c in s)
        {
            if (c is < (char)0x20 or > (char)0x7E or '"' or '\\') return false;
        }
        return true;
    }
}
