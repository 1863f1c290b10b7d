namespace Platform.Tests.Shared;

/// <summary>Writes a copy of the iot-anomaly sample with test-sized settings and absolute output paths.</summary>
internal static class PipelineYaml
{
    public static string WriteSample(TempDir dir, long events, double rate = 0, int httpPort = 0)
    {
        var yaml = File.ReadAllText(Path.Combine(RepoPaths.Root, "samples", "iot-anomaly", "pipeline.yaml"))
            .Replace("events: 2000000", $"events: {events}", StringComparison.Ordinal)
            .Replace("rate: 0 ", FormattableString.Invariant($"rate: {rate} "), StringComparison.Ordinal)
            .Replace("path: out/iot-anomaly.duckdb", $"path: {dir.File("iot.duckdb")}", StringComparison.Ordinal)
            .Replace("path: out/iot-anomaly.dlq.ndjson", $"path: {dir.File("iot.dlq.ndjson")}", StringComparison.Ordinal)
            .Replace("port: 9464", $"port: {httpPort}", StringComparison.Ordinal);
        var path = dir.File("pipeline.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }
}
