using Platform.Engine.DeadLetters;
using Platform.Engine.Runtime;

namespace Platform.Engine.Tests.Runtime;

public class PipelineRunTests
{
    private static List<string> Lines(int count, int keys, int seed, int maxDisorderMs)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, count)
            .Select(i => $"{rng.Next(keys)},{(i * 10L) - rng.Next(maxDisorderMs + 1)},{rng.Next(1000) / 10.0}")
            .ToList();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public async Task RunAsync_KeyedCounts_MatchInputPerKeyForAnyWorkerCount(int workers)
    {
        var lines = Lines(20_000, 97, seed: workers, maxDisorderMs: 300);
        var operators = new List<CountingOperator>();
        var sink = new CollectingSink<Reading>();
        var result = await Pipeline.Create("counts", new PipelineOptions { Workers = workers, BatchSize = 64, ChannelCapacity = 2, EventTime = new() { AllowedLateness = TimeSpan.FromMilliseconds(300) } })
            .From(new LinesSource(lines))
            .Parse(new ReadingParser(), default(ReadingTime))
            .KeyBy(default(ReadingKey))
            .Process(() => { var op = new CountingOperator(); lock (operators) operators.Add(op); return op; }, "count")
            .To(sink)
            .RunAsync();

        var expected = lines.GroupBy(l => long.Parse(l.Split(',')[0])).ToDictionary(g => g.Key, g => (long)g.Count());
        var actual = sink.Items.ToDictionary(r => r.Key, r => r.Time);
        Assert.Equal(expected.OrderBy(kv => kv.Key), actual.OrderBy(kv => kv.Key));
        Assert.Equal(20_000, result.RecordsIn);
        Assert.Equal(expected.Count, result.RecordsOut);
        Assert.Equal(workers, operators.Count);
        Assert.All(operators, op => Assert.Equal(0, op.RecordsBehindWatermark));
        Assert.All(operators, op => Assert.Equal(long.MaxValue, op.Watermarks[^1]));
        Assert.True(operators.Sum(op => op.Watermarks.Count) > workers, "watermarks advance during the run, not only at the end");
    }

    [Fact]
    public async Task RunAsync_MalformedLines_GoToDeadLettersAndTheRestIsProcessed()
    {
        var lines = Lines(1_000, 10, seed: 3, maxDisorderMs: 0);
        lines[10] = "not a reading";
        lines[500] = "1,2";
        var dlq = new CountingDeadLetterSink();
        var sink = new CollectingSink<Reading>();
        var result = await Pipeline.Create("dlq", new PipelineOptions { Workers = 2, DeadLetters = dlq })
            .From(new LinesSource(lines))
            .Parse(new ReadingParser(), default(ReadingTime))
            .To(sink)
            .RunAsync();

        Assert.Equal(2, dlq.Count);
        Assert.Equal(2, result.Rejected);
        Assert.Equal(998, sink.Items.Count);
        Assert.Equal(998, result.RecordsOut);
    }

    [Fact]
    public async Task RunAsync_SlowSink_BackpressureBoundsWhatTheSourceReadsAhead()
    {
        var lines = Lines(2_000, 50, seed: 4, maxDisorderMs: 0);
        LinesSource? source = null;
        var sink = new CollectingSink<Reading>(TimeSpan.FromMilliseconds(5));
        var maxAhead = 0L;
        source = new LinesSource(lines, linesPerChunk: 10, beforeChunk: _ =>
        {
            maxAhead = Math.Max(maxAhead, source!.LinesServed - sink.Items.Count);
            return ValueTask.CompletedTask;
        });
        var options = new PipelineOptions { Workers = 2, BatchSize = 10, ChannelCapacity = 2 };
        await Pipeline.Create("slow", options)
            .From(source)
            .Parse(new ReadingParser(), default(ReadingTime))
            .To(sink)
            .RunAsync();

        Assert.Equal(2_000, sink.Items.Count);
        // Chunks queued (2 × workers) + in workers + batches queued for the sink: a few hundred lines, not thousands.
        Assert.InRange(maxAhead, 1, 400);
    }

    [Fact]
    public async Task Start_StopRequested_EverythingReadBeforeTheStopReachesTheSink()
    {
        var lines = Lines(100_000, 10, seed: 5, maxDisorderMs: 0);
        using var stop = new CancellationTokenSource();
        LinesSource? source = null;
        source = new LinesSource(lines, linesPerChunk: 50, beforeChunk: async n =>
        {
            if (n == 100) await stop.CancelAsync();
            await Task.Yield();
        });
        var operators = new List<CountingOperator>();
        var sink = new CollectingSink<Reading>();
        var running = Pipeline.Create("stop", new PipelineOptions { Workers = 2 })
            .From(source)
            .Parse(new ReadingParser(), default(ReadingTime))
            .KeyBy(default(ReadingKey))
            .Process(() => { var op = new CountingOperator(); lock (operators) operators.Add(op); return op; }, "count")
            .To(sink)
            .Start(stop.Token);
        var result = await running.Completion.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(source.LinesServed < lines.Count, "the stop ended the run early");
        Assert.Equal(source.LinesServed, result.RecordsIn);
        Assert.Equal(source.LinesServed, sink.Items.Sum(r => r.Time));
        Assert.Equal(1, sink.Flushes);
    }

    [Fact]
    public async Task Abort_WhileTheSourceWaitsForData_EndsTheRunAndCancelsTheRead()
    {
        var source = new IdleLinesSource(Lines(200, 10, seed: 7, maxDisorderMs: 0), linesBeforeIdle: 100);
        var running = Pipeline.Create("abort", new PipelineOptions { Workers = 2 })
            .From(source)
            .Parse(new ReadingParser(), default(ReadingTime))
            .KeyBy(default(ReadingKey))
            .Process(() => new CountingOperator(), "count")
            .To(new CollectingSink<Reading>())
            .Start();
        for (var i = 0; i < 3000 && !source.Waiting; i++) await Task.Delay(20);
        Assert.True(source.Waiting, "the source ran dry");

        running.Abort();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running.Completion.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.True(source.ReadCancelled);
    }

    [Fact]
    public async Task RunAsync_OperatorThrows_RunFaultsWithThatError()
    {
        var lines = Lines(1_000, 10, seed: 6, maxDisorderMs: 0);
        var run = Pipeline.Create("fault", new PipelineOptions { Workers = 2 })
            .From(new LinesSource(lines))
            .Parse(new ReadingParser(), default(ReadingTime))
            .KeyBy(default(ReadingKey))
            .Process<Reading>(() => throw new InvalidOperationException("boom"), "explode")
            .To(new CollectingSink<Reading>())
            .RunAsync();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => run.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("boom", error.Message);
    }

    [Fact]
    public void Graph_FluentChain_ListsStagesWithFusion()
    {
        var definition = Pipeline.Create("g", new PipelineOptions { Workers = 3 })
            .From(new LinesSource([]))
            .Parse(new ReadingParser(), default(ReadingTime))
            .KeyBy(default(ReadingKey))
            .Process(() => new CountingOperator(), "count")
            .To(new CollectingSink<Reading>());
        Assert.Equal("lines → parse ⇒ key-by → count → collect", definition.Graph.ToString());
        Assert.Equal(3, definition.Graph.Stages[1].Parallelism);
    }
}
