using CsCheck;
using Platform.Engine.Windows;
using Platform.Host.Config;

namespace Platform.Host.Tests.Config;

public sealed class ConfigRoundTripTests
{
    private static readonly string WorkingDirectory = Path.GetTempPath();

    private static PipelineConfig RoundTrip(PipelineConfig config)
    {
        var yaml = PipelineConfigWriter.ToYaml(config);
        var result = PipelineConfigLoader.Parse(yaml, "roundtrip.yaml", WorkingDirectory);
        Assert.True(result.IsValid, yaml + "\n" + string.Join("\n", result.Errors));
        return result.Config!;
    }

    [Fact]
    public void ToYaml_DefaultConfig_LoadsBackEqual()
    {
        var config = PipelineConfig.CreateDefault("defaults", WorkingDirectory);

        Assert.Equal(config, RoundTrip(config));
    }

    [Fact]
    public void ToYaml_SampleConfig_LoadsBackEqual()
    {
        var sample = PipelineConfigLoader.Load(RepoPaths.SamplePipeline, WorkingDirectory).Config!;

        Assert.Equal(sample, RoundTrip(sample));
    }

    [Fact]
    public void Parse_DefaultsWrittenOut_EqualsMinimalFile()
    {
        var minimal = PipelineConfigLoader.Parse("name: defaults\nsource: {type: generator}\nsinks: [{type: null}]", "m.yaml", WorkingDirectory).Config!;
        var defaults = PipelineConfig.CreateDefault("defaults", WorkingDirectory);

        Assert.Equal(defaults with { Steps = EquatableList<StepConfig>.Empty }, minimal);
    }

    [Fact]
    public void ToYaml_RandomConfig_LoadsBackEqual()
    {
        var duration = Gen.Long[0, 3_600_000].Select(ms => TimeSpan.FromMilliseconds(ms));
        var positive = Gen.Long[1, 3_600_000].Select(ms => TimeSpan.FromMilliseconds(ms));
        var generator = Gen.Select(Gen.Long[0, long.MaxValue], Gen.Long, Gen.Int[1, 1_000_000], Gen.Double[0, 1], duration, Gen.Double[0, 1e7])
            .Select((events, seed, devices, share, outOfOrder, rate) => (SourceConfig)(GeneratorSourceConfig.Default with
            {
                Events = events, Seed = seed, Devices = devices, VectorShare = share, OutOfOrder = outOfOrder, Rate = rate,
            }));
        var window = Gen.OneOf(
            positive.Select(size => new WindowStepConfig(WindowKind.Tumbling, size, size, TimeSpan.Zero)),
            Gen.Select(positive, Gen.Double[0.001, 1]).Select((size, f) =>
            {
                var slide = TimeSpan.FromMilliseconds(Math.Max(1, Math.Floor(size.TotalMilliseconds * f)));
                return new WindowStepConfig(WindowKind.Hopping, size, slide, TimeSpan.Zero);
            }),
            positive.Select(gap => new WindowStepConfig(WindowKind.Session, TimeSpan.Zero, TimeSpan.Zero, gap)));
        var runtime = Gen.Select(Gen.Int[0, 1024], Gen.Int[1, 1 << 20], Gen.Int[1, 1 << 16], Gen.Long[1L << 10, 64L << 20])
            .Select((w, b, c, s) => new RuntimeConfig(w, b, c, s));
        var eventTime = Gen.Select(duration, positive, Gen.Enum<LatePolicy>()).Select((a, i, p) => new EventTimeConfig(a, i, p));
        var sink = Gen.OneOf(
            Gen.Const((SinkConfig)new NullSinkConfig()),
            Gen.Const((SinkConfig)new ConsoleSinkConfig()),
            Gen.Enum<SinkWriteMode>().Select(m => (SinkConfig)new DuckDbSinkConfig("out/x y.duckdb", Path.GetFullPath("out/x y.duckdb", WorkingDirectory), "t_1", m)));

        Gen.Select(generator, window, runtime, eventTime, sink.Array[1, 3], Gen.Int[0, 65535]).Sample((source, w, r, e, sinks, port) =>
        {
            var config = PipelineConfig.CreateDefault("random", WorkingDirectory) with
            {
                Source = source,
                Steps = new([new KeyByStepConfig(new(["sensorType"])), w]),
                Runtime = r,
                EventTime = e,
                Sinks = new(sinks),
                Http = new HttpConfig(port),
            };
            return RoundTrip(config) == config;
        }, iter: 300);
    }
}
