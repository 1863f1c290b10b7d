using Platform.Engine.Runtime;
using Platform.Engine.Time;
using Platform.Operators.Anomaly;

namespace Platform.Host.Nab;

/// <summary>Runs a detector over every corpus file through the engine and writes NAB result files.</summary>
internal static class NabRunner
{
    /// <summary>The options a named detector runs with (one configuration for every file).</summary>
    public static AnomalyDetectorOptions OptionsFor(string detector, AnomalyDetectorOptions? baseOptions = null)
    {
        return (baseOptions ?? new AnomalyDetectorOptions()) with { Detectors = AnomalyDetectorNames.Parse(detector) };
    }

    /// <summary>Scores every file with <paramref name="detector"/>; returns the files written.</summary>
    public static async Task<(PipelineResult Result, IReadOnlyList<string> Files)> RunAsync(
        NabCorpus corpus, string outDir, string detector, AnomalyDetectorOptions options, int workers, CancellationToken cancellationToken)
    {
        var source = new NabCsvSource([.. corpus.Files.Select(f => f.Path)]);
        var sink = new NabResultSink(corpus, outDir, detector);
        var pipelineOptions = new PipelineOptions
        {
            Workers = workers,
            // Files are read one after another: a file not started yet must hold the watermark back,
            // or its rows would be late. Rows of one file are in time order, so no lateness is needed.
            EventTime = new EventTimeOptions { AllowedLateness = TimeSpan.Zero, IdleTimeout = Timeout.InfiniteTimeSpan },
        };
        var result = await Pipeline.Create($"nab-{detector}", pipelineOptions)
            .From(source)
            .Parse(new NabCsvParser(), default(ScalarReadingTime))
            .KeyBy(default(ScalarReadingKey))
            .Process(() => new AnomalyDetectorOperator<ScalarReading, ScalarReadingKey, ScalarReadingTime, ScalarReadingValue>(options), "detect")
            .To(sink)
            .RunAsync(cancellationToken);
        await source.DisposeAsync();
        return (result, sink.Written);
    }
}
