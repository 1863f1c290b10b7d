using CsCheck;
using Platform.Engine.Windows;

namespace Platform.Engine.Tests.Windows;

public class WindowSpecTests
{
    [Fact]
    public void Tumbling_NonPositiveSize_ThrowsArgumentOutOfRange()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => WindowSpec.Tumbling(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => WindowSpec.Tumbling(TimeSpan.FromMilliseconds(-5)));
    }

    [Fact]
    public void Hopping_SlideLargerThanSize_ThrowsArgumentOutOfRange() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => WindowSpec.Hopping(10, 11));

    [Fact]
    public void Hopping_TooManyWindowsPerRecord_ThrowsArgumentOutOfRange() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => WindowSpec.Hopping(100_000, 1));

    [Fact]
    public void Session_SubMillisecondGap_ThrowsArgumentOutOfRange() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => WindowSpec.Session(TimeSpan.FromTicks(15_000)));

    [Fact]
    public void AssignWindows_NegativeTimestamp_AlignsToEpochByFloor()
    {
        Span<long> starts = stackalloc long[4];
        Assert.Equal(1, WindowSpec.Tumbling(10).AssignWindows(-1, starts));
        Assert.Equal(-10, starts[0]);
        Assert.Equal(1, WindowSpec.Tumbling(10).AssignWindows(-10, starts));
        Assert.Equal(-10, starts[0]);
        Assert.Equal(2, WindowSpec.Hopping(10, 5).AssignWindows(-3, starts));
        Assert.Equal([-10L, -5L], starts[..2].ToArray());
    }

    [Fact]
    public void AssignWindows_RandomTimes_MatchesBruteForce() =>
        Gen.Select(Gen.Long[-1_000_000_000, 1_000_000_000], Gen.Int[1, 5000], Gen.Int[1, 20])
            .Sample((t, size, k) =>
            {
                var spec = WindowSpec.Hopping(size, Math.Max(1, size / k));
                Span<long> starts = stackalloc long[spec.WindowsPerTimestamp];
                var n = spec.AssignWindows(t, starts);
                var expected = new List<long>();
                for (var s = t - size - spec.SlideMs; s <= t; s++)
                    if (s % spec.SlideMs == 0 && s <= t && t < s + size) expected.Add(s);
                Assert.Equal(expected, starts[..n].ToArray());
            }, iter: 2000);

    [Fact]
    public void AssignWindows_SessionSpec_ThrowsInvalidOperation() =>
        Assert.Throws<InvalidOperationException>(() => WindowSpec.Session(5).AssignWindows(1, new long[1]));
}
