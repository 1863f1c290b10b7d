namespace Platform.Tests.Shared;

/// <summary>YAML fragments that many test pipelines share, to paste at column 0 of a raw string.</summary>
internal static class YamlSteps
{
    /// <summary>
    /// The smallest keyed job: per device × sensor, 10 s tumbling windows with <paramref name="functions"/>,
    /// into the null sink (the <c>steps:</c> and <c>sinks:</c> sections).
    /// </summary>
    public static string CountPerSensorToNull(string functions = "count") => CountPerSensor(functions) + """

        sinks:
          - type: null
        """;

    /// <summary>The same job appending its windows to the DuckDB table <c>window_stats</c> (read back with <see cref="WindowStatsDb"/>).</summary>
    public static string CountPerSensorToDuckDb(string database) => CountPerSensor("count") + $"""

        sinks:
          - type: duckdb
            path: {database}
            table: window_stats
            mode: append
        """;

    /// <summary>The job alone (the <c>steps:</c> section): per device × sensor, 10 s tumbling windows with <paramref name="functions"/>.</summary>
    public static string CountPerSensor(string functions) => $"""
        steps:
          - op: key-by
            fields: [deviceId, sensorType]
          - op: window
            kind: tumbling
            size: 10s
          - op: aggregate
            functions: [{functions}]
        """;
}
