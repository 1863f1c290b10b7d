using Platform.Engine.Windows;
using Platform.Host.Config;

namespace Platform.Host.Tests.Config;

public sealed class PipelineConfigLoaderTests
{
    private const string Minimal = """
        name: minimal
        source:
          type: generator
        sinks:
          - type: console
        """;

    private static ConfigLoadResult Parse(string yaml, string? workingDirectory = null) =>
        PipelineConfigLoader.Parse(yaml, "test.yaml", workingDirectory ?? Path.GetTempPath());

    /// <summary>The "did you mean 'x'?" part of a hint, or the whole hint when it has none.</summary>
    private static string Lead(string hint) =>
        hint.Contains('?', StringComparison.Ordinal) ? hint[..(hint.IndexOf('?', StringComparison.Ordinal) + 1)] : hint;

    private static ConfigError Single(ConfigLoadResult result)
    {
        Assert.Null(result.Config);
        return Assert.Single(result.Errors);
    }

    [Fact]
    public void Parse_UnknownOperatorBadTypeAndMissingField_ReportsExactlyThreeErrorsWithLines()
    {
        const string yaml = """
            name: three-errors
            source:
              type: generator
              events: many
            steps:
              - op: key-by
                fields: [deviceId, sensorType]
              - op: windw
                size: 10s
              - op: window
                kind: tumbling
            sinks:
              - type: console
            """;

        var result = Parse(yaml);

        Assert.False(result.IsValid);
        Assert.Collection(result.Errors,
            e =>
            {
                Assert.Equal((4, 11), (e.Line, e.Column));
                Assert.Contains("'events' must be a whole number, got 'many'", e.Message, StringComparison.Ordinal);
            },
            e =>
            {
                Assert.Equal((8, 9), (e.Line, e.Column));
                Assert.Equal("unknown operator 'windw'", e.Message);
                Assert.Equal("did you mean 'window'? known: " + string.Join(", ", ConfigRegistry.Default.Steps.Keys), e.Hint);
            },
            e =>
            {
                Assert.Equal(10, e.Line);
                Assert.Equal("window is missing required field 'size'", e.Message);
                Assert.Equal("add 'size: 10s'", e.Hint);
            });
        Assert.All(result.Errors, e => Assert.Equal("test.yaml", e.File));
    }

    [Fact]
    public void Load_SampleIotAnomaly_HasNoErrors()
    {
        var result = PipelineConfigLoader.Load(RepoPaths.SamplePipeline, workingDirectory: RepoPaths.Root);

        Assert.Empty(result.Errors);
        var config = Assert.IsType<PipelineConfig>(result.Config);
        Assert.Equal("iot-anomaly", config.Name);
        var generator = Assert.IsType<GeneratorSourceConfig>(config.Source);
        Assert.Equal(2_000_000, generator.Events);
        Assert.True(config.EventTime.AllowedLateness >= generator.OutOfOrder, "no valid record may be late");
        Assert.Equal(["key-by", "window", "aggregate"], config.Steps.Select(s => s.Op));
        var window = Assert.IsType<WindowStepConfig>(config.Steps[1]);
        Assert.Equal((WindowKind.Tumbling, TimeSpan.FromSeconds(10)), (window.Kind, window.Size));
        var sink = Assert.IsType<DuckDbSinkConfig>(Assert.Single(config.Sinks));
        Assert.Equal(("out/iot-anomaly.duckdb", "window_stats", SinkWriteMode.Upsert), (sink.Path, sink.Table, sink.Mode));
        Assert.Equal(Path.Combine(RepoPaths.Root, "out", "iot-anomaly.duckdb"), sink.FullPath);
        Assert.Equal("generator → key-by → window → aggregate → duckdb", config.Describe());
    }

    [Fact]
    public void Parse_MinimalPipeline_TakesEveryDefault()
    {
        var config = Assert.IsType<PipelineConfig>(Parse(Minimal).Config);

        Assert.Equal(GeneratorSourceConfig.Default, config.Source);
        Assert.Equal(EventTimeConfig.Default, config.EventTime);
        Assert.Equal(RuntimeConfig.Default, config.Runtime);
        Assert.Equal(HttpConfig.Default, config.Http);
        Assert.Equal(RecordFormat.TelemetryJson, config.Format);
        Assert.Empty(config.Steps);
        Assert.Equal("out/minimal.dlq.ndjson", config.DeadLetter.Path);
    }

    [Fact]
    public void Parse_NameAbsent_TakesFileName()
    {
        var result = PipelineConfigLoader.Parse("source: {type: generator}\nsinks: [{type: console}]", "dir/my pipeline.yaml", Path.GetTempPath());

        Assert.Equal("my-pipeline", result.Config?.Name);
    }

    [Fact]
    public void Parse_UnknownKeysAtEveryLevel_ReportsEachWithSuggestion()
    {
        const string yaml = """
            name: x
            sorce:
              type: generator
            source:
              type: generator
              devics: 10
            event-time:
              allowed-latenes: 5s
            steps:
              - op: key-by
                fields: [deviceId]
                feilds: [unit]
            sinks:
              - type: console
                colour: red
            runtime:
              batchsize: 10
            """;

        var errors = Parse(yaml).Errors;

        Assert.Equal(
        [
            (2, "unknown key 'sorce' in the pipeline", "did you mean 'source'?"),
            (6, "unknown key 'devics' in generator source", "did you mean 'devices'?"),
            (8, "unknown key 'allowed-latenes' in 'event-time'", "did you mean 'allowed-lateness'?"),
            (12, "unknown key 'feilds' in key-by", "did you mean 'fields'?"),
            (15, "unknown key 'colour' in console sink", "known keys: type"),
            (17, "unknown key 'batchsize' in 'runtime'", "did you mean 'batch-size'?"),
        ], errors.Select(e => (e.Line, e.Message, Lead(e.Hint!))));
    }

    [Theory]
    [InlineData("windw", "window")]
    [InlineData("Window", null)]
    [InlineData("keyby", "key-by")]
    [InlineData("agregate", "aggregate")]
    [InlineData("aggergate", "aggregate")]
    [InlineData("zzz", null)]
    public void Parse_MisspeltOperator_SuggestsClosest(string op, string? suggestion)
    {
        var yaml = $"name: x\nsource: {{type: generator}}\nsteps:\n  - op: key-by\n    fields: [deviceId]\n  - op: {op}\n    size: 10s\nsinks: [{{type: console}}]";

        var result = Parse(yaml);

        if (op == "Window")
        {
            Assert.Empty(result.Errors); // names are case-insensitive
            return;
        }
        var error = Single(result);
        Assert.Equal($"unknown operator '{op}'", error.Message);
        Assert.Equal(6, error.Line);
        if (suggestion is null)
        {
            Assert.StartsWith("known: ", error.Hint, StringComparison.Ordinal);
        }
        else
        {
            Assert.StartsWith($"did you mean '{suggestion}'?", error.Hint, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Parse_WindowWithoutKeyByAndAggregateWithoutWindow_ReportsBoth()
    {
        const string yaml = """
            source: {type: generator}
            steps:
              - op: window
                size: 10s
              - op: aggregate
            sinks: [{type: console}]
            """;
        var yaml2 = yaml.Replace("  - op: window\n    size: 10s\n", "", StringComparison.Ordinal);

        var error = Single(Parse(yaml));
        Assert.Equal((3, "window needs a 'key-by' step before it"), (error.Line, error.Message));
        var error2 = Single(Parse(yaml2));
        Assert.Equal((3, "aggregate needs a 'window' step before it"), (error2.Line, error2.Message));
    }

    [Theory]
    [InlineData("kind: hopping\n    size: 10s\n    slide: 20s", "'slide' (20s) must not exceed 'size' (10s)")]
    [InlineData("kind: hopping\n    size: 10s", "window is missing required field 'slide'")]
    [InlineData("kind: session", "window is missing required field 'gap'")]
    [InlineData("kind: session\n    gap: 30s\n    size: 10s", "'size' does not apply to a session window")]
    [InlineData("kind: tumbling\n    size: 10s\n    slide: 5s", "'slide' does not apply to a tumbling window")]
    [InlineData("kind: tumblng\n    size: 10s", "'kind' must be one of tumbling, hopping, session, got 'tumblng'")]
    [InlineData("size: 0s", "'size' must be at least 1ms, got '0s'")]
    public void Parse_BadWindow_ReportsError(string fields, string message)
    {
        var yaml = $"source: {{type: generator}}\nsteps:\n  - op: key-by\n    fields: [deviceId]\n  - op: window\n    {fields}\nsinks: [{{type: console}}]";

        Assert.Equal(message, Single(Parse(yaml)).Message);
    }

    [Theory]
    [InlineData("kind: hopping\n    size: 10s\n    slide: 10s", "Hopping", 10, 10, 0)]
    [InlineData("kind: Hopping\n    size: 1m\n    slide: 15s", "Hopping", 60, 15, 0)]
    [InlineData("kind: SESSION\n    gap: 30s", "Session", 0, 0, 30)]
    [InlineData("size: 10s", "Tumbling", 10, 10, 0)]
    public void Parse_GoodWindow_BindsKindAndDurations(string fields, string kind, int size, int slide, int gap)
    {
        var yaml = $"source: {{type: generator}}\nsteps:\n  - op: key-by\n    fields: [deviceId]\n  - op: window\n    {fields}\nsinks: [{{type: console}}]";

        var window = Assert.IsType<WindowStepConfig>(Parse(yaml).Config?.Steps[1]);

        Assert.Equal(new WindowStepConfig(Enum.Parse<WindowKind>(kind), TimeSpan.FromSeconds(size), TimeSpan.FromSeconds(slide), TimeSpan.FromSeconds(gap)), window);
    }

    [Fact]
    public void Parse_AggregateFunctions_BindsPercentilesAndRejectsUnknown()
    {
        const string good = "source: {type: generator}\nsteps:\n  - op: key-by\n    fields: [deviceId]\n  - op: window\n    size: 1s\n  - op: aggregate\n    functions: [count, P99.9, variance]\nsinks: [{type: console}]";
        var aggregate = Assert.IsType<AggregateStepConfig>(Parse(good).Config?.Steps[2]);
        Assert.Equal(["count", "p99.9", "variance"], aggregate.Functions.Select(f => f.Name));
        Assert.Equal(0.999, aggregate.Functions[1].Quantile, 12);

        var error = Single(Parse(good.Replace("variance", "varience", StringComparison.Ordinal)));
        Assert.Equal((8, "unknown aggregate 'varience'"), (error.Line, error.Message));
        Assert.StartsWith("did you mean 'variance'?", error.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_GeneratorUnknownSensor_SuggestsKnownProfile()
    {
        var error = Single(Parse("source:\n  type: generator\n  sensors: [temperature, humidty]\nsinks: [{type: console}]"));

        Assert.Equal((3, 26, "unknown sensor type 'humidty'"), (error.Line, error.Column, error.Message));
        Assert.Equal("did you mean 'humidity'? the generator knows: temperature, humidity, pressure, vibration", error.Hint);
    }

    [Fact]
    public void Parse_KeyByUnknownField_SuggestsKnownField()
    {
        var error = Single(Parse("source: {type: generator}\nsteps:\n  - op: key-by\n    fields: [deviceID, sensorType]\nsinks: [{type: console}]"));

        Assert.Equal((4, 14, "unknown key field 'deviceID'"), (error.Line, error.Column, error.Message));
        Assert.StartsWith("did you mean 'deviceId'?", error.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_FileSourceRelativePath_ResolvesAgainstYamlFolder()
    {
        using var temp = new TempDirectory();
        temp.Write("pipelines/data/in.ndjson", "{}\n");
        var yamlPath = temp.Write("pipelines/p.yaml", "source:\n  type: file\n  path: data/in.ndjson\n  rate: 1000\nsinks: [{type: console}]\nruntime: {chunk-size: 64KiB}");

        var result = PipelineConfigLoader.Load(yamlPath, workingDirectory: "/");

        var source = Assert.IsType<FileSourceConfig>(result.Config?.Source);
        Assert.Equal(Path.Combine(temp.Path, "pipelines", "data", "in.ndjson"), source.FullPath);
        Assert.Equal(("data/in.ndjson", 1000.0, 64 * 1024L), (source.Path, source.Rate, source.ChunkSize));
    }

    [Fact]
    public void Parse_FileSourceMissingFileOrPath_ReportsError()
    {
        var missing = Single(Parse("source:\n  type: file\n  path: nowhere.ndjson\nsinks: [{type: console}]"));
        Assert.Equal(3, missing.Line);
        Assert.StartsWith("source file 'nowhere.ndjson' does not exist", missing.Message, StringComparison.Ordinal);

        var noPath = Single(Parse("source:\n  type: file\nsinks: [{type: console}]"));
        Assert.Equal("file source is missing required field 'path'", noPath.Message);
    }

    [Fact]
    public void Parse_SinkRelativePaths_ResolveAgainstWorkingDirectory()
    {
        using var temp = new TempDirectory();
        const string yaml = "name: p\nsource: {type: generator}\nsinks:\n  - type: duckdb\n    path: out/r.duckdb\n    mode: APPEND\n  - type: null\n";

        var config = Assert.IsType<PipelineConfig>(PipelineConfigLoader.Parse(yaml, "/elsewhere/p.yaml", temp.Path).Config);

        var duck = Assert.IsType<DuckDbSinkConfig>(config.Sinks[0]);
        Assert.Equal(Path.Combine(temp.Path, "out", "r.duckdb"), duck.FullPath);
        Assert.Equal((ConfigDefaults.DuckDbTable, SinkWriteMode.Append), (duck.Table, duck.Mode));
        Assert.IsType<NullSinkConfig>(config.Sinks[1]);
        Assert.Equal(Path.Combine(temp.Path, "out", "p.dlq.ndjson"), config.DeadLetter.FullPath);
    }

    [Fact]
    public void Parse_DuckDbWithoutPathAndBadTable_ReportsBoth()
    {
        var errors = Parse("source: {type: generator}\nsinks:\n  - type: duckdb\n    table: 1bad\n").Errors;

        Assert.Equal(
            ["duckdb sink is missing required field 'path'", "'table' must be an SQL identifier, got '1bad'"],
            errors.Select(e => e.Message));
    }

    [Theory]
    [InlineData("name: x\nsource:\n  type: generator\n   events: 1\nsinks: [{type: console}]", 4)]
    [InlineData("name: x\nsource: [unclosed\n", 3)]
    [InlineData("name: x\nname: y\n", 2)]
    public void Parse_YamlSyntaxError_ReportsPosition(string yaml, int line)
    {
        var error = Single(Parse(yaml));

        Assert.StartsWith("YAML syntax: ", error.Message, StringComparison.Ordinal);
        Assert.Equal(line, error.Line);
        Assert.True(error.Column > 0);
        Assert.NotNull(error.Hint);
    }

    [Theory]
    [InlineData("")]
    [InlineData("# only a comment\n")]
    [InlineData("just text")]
    [InlineData("- a\n- b")]
    public void Parse_NotAPipeline_ReportsOneError(string yaml) =>
        Assert.Equal(1, Single(Parse(yaml)).Line);

    [Fact]
    public void Parse_MissingSourceAndSinks_ReportsBothRequiredSections()
    {
        var errors = Parse("name: x\n").Errors;

        Assert.Equal(
            ["the pipeline is missing required field 'source'", "the pipeline is missing required field 'sinks'"],
            errors.Select(e => e.Message));
    }

    [Fact]
    public void Parse_ValuesOutOfRange_ReportsEach()
    {
        const string yaml = """
            source:
              type: generator
              vector-share: 1.5
              devices: 0
              sensors: temperature
            event-time:
              late-policy: sideoutput
              idle-timeout: 0s
            sinks: [{type: console}]
            runtime:
              chunk-size: 1TiB
              batch-size: -1
            http:
              port: 70000
            """;

        var errors = Parse(yaml).Errors;

        Assert.Equal([3, 4, 5, 7, 8, 11, 12, 14], errors.Select(e => e.Line));
        Assert.Equal("'late-policy' must be one of drop, side-output, update, got 'sideoutput'", errors[3].Message);
        Assert.StartsWith("did you mean 'side-output'?", errors[3].Hint, StringComparison.Ordinal);
        Assert.Equal("'chunk-size' must be a size like 256KiB, got '1TiB'", errors[5].Message);
    }

    [Fact]
    public void Parse_KebabEnumsAnyCase_Accepted()
    {
        var config = Parse("source: {type: Generator}\nformat: Telemetry-JSON\nevent-time: {late-policy: Side-Output}\nsinks: [{type: CONSOLE}]").Config;

        Assert.Equal(LatePolicy.SideOutput, config?.EventTime.LatePolicy);
        Assert.IsType<ConsoleSinkConfig>(config?.Sinks[0]);
    }

    [Fact]
    public void Load_MissingFile_ReportsFileNotFound()
    {
        var error = Single(PipelineConfigLoader.Load("does/not/exist.yaml", workingDirectory: Path.GetTempPath()));

        Assert.Equal(("does/not/exist.yaml", 0), (error.File, error.Line));
        Assert.StartsWith("file not found", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_Error_UsesCompilerFormat() =>
        Assert.Equal("p.yaml:3:7: error: oops", new ConfigError("p.yaml", 3, 7, "oops", "hint").ToString());
}
