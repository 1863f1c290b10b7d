using CsCheck;
using Platform.Engine.Windows;
using Platform.Host.Config;
using Platform.Host.Config.Binding;

namespace Platform.Host.Tests.Config;

public sealed class ValueParsersTests
{
    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("10s", 10_000)]
    [InlineData("5m", 300_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("1d", 86_400_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("1m30s", 90_000)]
    [InlineData(" 2s ", 2_000)]
    [InlineData("0", 0)]
    [InlineData("0s", 0)]
    public void TryParseDuration_EachUnit_ParsesMilliseconds(string text, long milliseconds)
    {
        Assert.True(ValueParsers.TryParseDuration(text, out var value));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
    }

    [Theory]
    [InlineData("ten")]
    [InlineData("10")]
    [InlineData("10x")]
    [InlineData("-5s")]
    [InlineData("")]
    [InlineData("s")]
    [InlineData("10 s")]
    [InlineData("1e3s")]
    public void TryParseDuration_Malformed_ReturnsFalse(string text) =>
        Assert.False(ValueParsers.TryParseDuration(text, out _));

    [Theory]
    [InlineData("64KiB", 64 * 1024L)]
    [InlineData("1MiB", 1L << 20)]
    [InlineData("2GiB", 2L << 30)]
    [InlineData("1000B", 1000)]
    [InlineData("1KB", 1000)]
    [InlineData("3MB", 3_000_000)]
    [InlineData("256kib", 256 * 1024L)]
    [InlineData("0.5MiB", 512 * 1024L)]
    [InlineData("2048", 2048)]
    [InlineData("1_024", 1024)]
    public void TryParseSize_EachUnit_ParsesBytes(string text, long bytes)
    {
        Assert.True(ValueParsers.TryParseSize(text, out var value));
        Assert.Equal(bytes, value);
    }

    [Theory]
    [InlineData("big")]
    [InlineData("1TiB")]
    [InlineData("KiB")]
    [InlineData("-1KiB")]
    [InlineData("0.3B")]
    [InlineData("")]
    public void TryParseSize_Malformed_ReturnsFalse(string text) =>
        Assert.False(ValueParsers.TryParseSize(text, out _));

    [Fact]
    public void FormatDuration_AnyMilliseconds_ParsesBack() =>
        Gen.Long[0, 30L * 86_400_000].Sample(ms =>
        {
            var value = TimeSpan.FromMilliseconds(ms);
            return ValueParsers.TryParseDuration(ValueParsers.FormatDuration(value), out var back) && back == value;
        });

    [Fact]
    public void FormatSize_AnyBytes_ParsesBack() =>
        Gen.Long[0, 1L << 40].Sample(bytes =>
            ValueParsers.TryParseSize(ValueParsers.FormatSize(bytes), out var back) && back == bytes);

    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("1m30s", 90_000)]
    [InlineData("10s", 10_000)]
    [InlineData("1h", 3_600_000)]
    public void FormatDuration_Value_IsShortestSpelling(string expected, long milliseconds) =>
        Assert.Equal(expected, ValueParsers.FormatDuration(TimeSpan.FromMilliseconds(milliseconds)));

    [Theory]
    [InlineData("side-output", "SideOutput")]
    [InlineData("Side-Output", "SideOutput")]
    [InlineData("side_output", "SideOutput")]
    [InlineData("DROP", "Drop")]
    public void TryParseEnum_KebabAnyCase_Parses(string text, string expected)
    {
        Assert.True(ValueParsers.TryParseEnum<LatePolicy>(text, out var value));
        Assert.Equal(Enum.Parse<LatePolicy>(expected), value);
    }

    [Fact]
    public void TryParseEnum_PascalCaseWithoutHyphen_ReturnsFalse() =>
        Assert.False(ValueParsers.TryParseEnum<LatePolicy>("sideoutput", out _));

    [Theory]
    [InlineData("windw", "window")]
    [InlineData("widnow", "window")]
    [InlineData("keyby", "key-by")]
    [InlineData("AGGREGATE", "aggregate")]
    [InlineData("zzzzzz", null)]
    [InlineData("x", null)]
    public void Suggest_Misspelling_ReturnsClosestKnown(string input, string? expected) =>
        Assert.Equal(expected, DidYouMean.Suggest(input, ["key-by", "window", "aggregate"]));

    [Fact]
    public void Hint_WithSuggestion_ListsKnown() =>
        Assert.Equal("did you mean 'window'? known: key-by, window, aggregate", DidYouMean.Hint("windw", ["key-by", "window", "aggregate"]));
}
