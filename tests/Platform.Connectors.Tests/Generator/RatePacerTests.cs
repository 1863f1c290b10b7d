using Platform.Connectors.Generator;
using Platform.Connectors.Tests.Infrastructure;

namespace Platform.Connectors.Tests.Generator;

public class RatePacerTests
{
    [Fact]
    public async Task WaitAsync_AheadOfSchedule_CompletesWhenTheClockReachesTheDueTime()
    {
        var clock = new ManualTimeProvider();
        var pacer = new RatePacer(100, clock);
        await pacer.WaitAsync(0, TestContext.Current.CancellationToken);
        var wait = pacer.WaitAsync(50, TestContext.Current.CancellationToken).AsTask();
        Assert.False(wait.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(400));
        Assert.False(wait.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(100));
        await wait.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        Assert.True(pacer.WaitAsync(50, TestContext.Current.CancellationToken).IsCompleted);
    }

    [Fact]
    public async Task WaitAsync_FarBehindSchedule_CatchUpBurstIsCappedAtOneSecond()
    {
        var clock = new ManualTimeProvider();
        var pacer = new RatePacer(100, clock);
        await pacer.WaitAsync(0, TestContext.Current.CancellationToken);
        clock.Advance(TimeSpan.FromSeconds(10)); // a slow consumer stalled the producer for 10 s
        Assert.True(pacer.WaitAsync(100, TestContext.Current.CancellationToken).IsCompleted);
        // Without the cap everything due by 10 s (1000 units) would go at once; with it 1 s of burst (100 more units) does.
        Assert.True(pacer.WaitAsync(190, TestContext.Current.CancellationToken).IsCompleted);
        Assert.False(pacer.WaitAsync(300, TestContext.Current.CancellationToken).IsCompleted);
        Assert.False(pacer.WaitAsync(1000, TestContext.Current.CancellationToken).IsCompleted);
    }

    [Fact]
    public void UnitsPerStep_Rate_IsTenMillisecondsWorthAtLeastOne()
    {
        Assert.Equal(1, new RatePacer(5, TimeProvider.System).UnitsPerStep);
        Assert.Equal(1000, new RatePacer(100_000, TimeProvider.System).UnitsPerStep);
    }
}
