using Platform.Engine.Batching;
using Platform.Engine.Contracts;
using Platform.Engine.Runtime;

namespace Platform.Engine.Tests.Runtime;

public class SinkFailureTests
{
    private sealed class ThrowingSink : ISink<Reading>
    {
        public string Name => "throwing";
        public ValueTask OpenAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;
        public ValueTask WriteAsync(Batch<Reading> batch, CancellationToken cancellationToken) => throw new IOException("disk on fire");
        public ValueTask FlushAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    [Fact]
    public async Task RunAsync_SinkThrowsWhileWorkersStillWrite_FailsWithTheSinkErrorInsteadOfHanging()
    {
        var lines = Enumerable.Range(0, 200_000).Select(i => $"{i % 50_000},{i},1").ToList();
        var run = Pipeline.Create("fail", new PipelineOptions { Workers = 2, BatchSize = 16, ChannelCapacity = 1 })
            .From(new LinesSource(lines, linesPerChunk: 100))
            .Parse(new ReadingParser(), default(ReadingTime))
            .To(new ThrowingSink())
            .RunAsync();
        var done = await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        Assert.Same(run, done);
        var e = await Assert.ThrowsAsync<IOException>(() => run);
        Assert.Equal("disk on fire", e.Message);
    }
}
