using System.Globalization;
using System.Text;
using CsCheck;
using Platform.Formats.Json;

namespace Platform.Formats.Tests.Telemetry;

public class JsonNumberTests
{
    [Fact]
    public void ParseDouble_RandomDecimalTokens_MatchDoubleParseAndStopAtTheDelimiter()
    {
        var gen = Gen.Select(Gen.Bool, Gen.Int[1, 22], Gen.Int[-1, 22], Gen.Int[-1, 3], Gen.ULong, Gen.Int[0, 5]);
        gen.Sample((negative, intDigits, fracDigits, expDigits, seed, delimiter) =>
        {
            var r = new Random((int)seed);
            var sb = new StringBuilder();
            if (negative) sb.Append('-');
            sb.Append(intDigits == 1 && r.Next(3) == 0 ? '0' : (char)('1' + r.Next(9)));
            if (sb[^1] != '0') for (var k = 1; k < intDigits; k++) sb.Append((char)('0' + r.Next(10)));
            if (fracDigits > 0)
            {
                sb.Append('.');
                for (var k = 0; k < fracDigits; k++) sb.Append((char)('0' + r.Next(10)));
            }
            if (expDigits > 0)
            {
                sb.Append(r.Next(2) == 0 ? 'e' : 'E').Append(r.Next(3) switch { 0 => "", 1 => "+", _ => "-" });
                for (var k = 0; k < expDigits; k++) sb.Append((char)('0' + r.Next(10)));
            }
            var token = sb.ToString();
            var tail = new[] { ",", "}", " 1", "]", "\u00e9", "" }[delimiter];
            var bytes = Encoding.UTF8.GetBytes(token + tail + "        ");
            var end = JsonNumber.ParseDouble(bytes, 0, out var value);
            var expected = double.Parse(token, NumberStyles.Float, CultureInfo.InvariantCulture);
            if (double.IsInfinity(expected))
            {
                Assert.Equal(-(int)JsonNumberStatus.OutOfRange, end);
                return;
            }
            Assert.Equal(token.Length, end);
            Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(value));
        }, iter: 50_000);
    }

    [Theory]
    [InlineData("01")]
    [InlineData("-")]
    [InlineData("1.")]
    [InlineData("1.e5")]
    [InlineData("1e")]
    [InlineData("1e+")]
    [InlineData("-01.5")]
    [InlineData("00")]
    public void ParseDouble_InvalidGrammar_Invalid(string token)
    {
        Assert.Equal(-(int)JsonNumberStatus.Invalid, JsonNumber.ParseDouble(Encoding.ASCII.GetBytes(token), 0, out _));
    }
}
