using System.Threading.Channels;

namespace Platform.Engine.Runtime;

/// <summary>Waits until one of two channels may have data, or a timeout passes (only when a worker is idle).</summary>
internal sealed class ChannelWaiter<TA, TB>(ChannelReader<TA> first, ChannelReader<TB> second)
{
    /// <summary>True when a channel has data or completed; false on timeout.</summary>
    public async ValueTask<bool> WaitAsync(bool includeSecond, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var a = first.WaitToReadAsync(cancellationToken);
        if (a.IsCompleted) return true;
        var waits = new List<Task>(3) { a.AsTask() };
        if (includeSecond)
        {
            var b = second.WaitToReadAsync(cancellationToken);
            if (b.IsCompleted) return true;
            waits.Add(b.AsTask());
        }
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var delay = Task.Delay(timeout, timer.Token);
        waits.Add(delay);
        var done = await Task.WhenAny(waits);
        await timer.CancelAsync();
        cancellationToken.ThrowIfCancellationRequested();
        return done != delay;
    }
}
