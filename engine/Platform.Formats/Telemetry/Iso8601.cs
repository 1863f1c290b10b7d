using System.Runtime.CompilerServices;

namespace Platform.Formats;

/// <summary>
/// ISO-8601 / RFC 3339 date-times to Unix milliseconds, without allocating:
/// <c>YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)</c>. The fraction (1–9 digits) is truncated to milliseconds.
/// </summary>
internal static class Iso8601
{
    private const long UnixEpochDays = 719_162; // days from 0001-01-01 to 1970-01-01

    /// <summary>Parses <paramref name="s"/> completely; false when it is not such a date-time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryParseUnixMs(ReadOnlySpan<byte> s, out long unixMs) => ParsePrefix(s, out unixMs) == s.Length;

    /// <summary>
    /// Parses a date-time at the start of <paramref name="s"/>; returns its length, or -1. The bytes after it are
    /// not looked at, so a caller can parse straight from a JSON string's body and then expect its closing quote.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int ParsePrefix(ReadOnlySpan<byte> s, out long unixMs)
    {
        unixMs = 0;
        if (s.Length < 20) return -1;
        var year = D(s[0]) * 1000 + D(s[1]) * 100 + D(s[2]) * 10 + D(s[3]);
        var month = D(s[5]) * 10 + D(s[6]);
        var day = D(s[8]) * 10 + D(s[9]);
        var hour = D(s[11]) * 10 + D(s[12]);
        var minute = D(s[14]) * 10 + D(s[15]);
        var second = D(s[17]) * 10 + D(s[18]);
        // D() yields a large value for a non-digit, so any bad digit fails the range checks below.
        if (s[4] != (byte)'-' || s[7] != (byte)'-' || (s[10] | 0x20) != (byte)'t' || s[13] != (byte)':' || s[16] != (byte)':') return -1;
        if ((uint)(year - 1) > 9998 || (uint)(month - 1) > 11 || (uint)hour > 23 || (uint)minute > 59 || (uint)second > 59) return -1;
        if ((uint)(day - 1) >= (uint)DaysInMonth(year, month)) return -1;

        var i = 19;
        var fractionMs = 0;
        if (s[i] == (byte)'.')
        {
            i++;
            var start = i;
            while (i < s.Length && (uint)(s[i] - '0') <= 9)
            {
                if (i - start < 3) fractionMs = fractionMs * 10 + (s[i] - '0');
                i++;
            }
            var n = i - start;
            if (n == 0 || n > 9) return -1;
            for (; n < 3; n++) fractionMs *= 10;
        }
        if (i >= s.Length) return -1;
        var offsetMinutes = 0;
        var c = s[i];
        if ((c | 0x20) == (byte)'z')
        {
            i++;
        }
        else if (c == (byte)'+' || c == (byte)'-')
        {
            if (i + 6 > s.Length || s[i + 3] != (byte)':') return -1;
            var oh = D(s[i + 1]) * 10 + D(s[i + 2]);
            var om = D(s[i + 4]) * 10 + D(s[i + 5]);
            if ((uint)om > 59 || (uint)(oh * 60 + om) > 14 * 60) return -1;
            offsetMinutes = c == (byte)'-' ? -(oh * 60 + om) : oh * 60 + om;
            i += 6;
        }
        else
        {
            return -1;
        }
        unixMs = ToUnixMs(year, month, day, hour, minute, second, fractionMs, offsetMinutes);
        return i;
    }

    /// <summary>Unix milliseconds of a validated date-time (fields in range) at a UTC offset in minutes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long ToUnixMs(int year, int month, int day, int hour, int minute, int second, int milliseconds, int offsetMinutes)
    {
        long days = DaysBeforeYear(year) + DaysBeforeMonth(year, month) + day - 1 - UnixEpochDays;
        var seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetMinutes * 60L;
        return seconds * 1000 + milliseconds;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int D(byte b)
    {
        var d = (uint)(b - '0');
        return d <= 9 ? (int)d : 100_000;
    }

    private static bool IsLeap(int y) => (y & 3) == 0 && (y % 100 != 0 || y % 400 == 0);

    internal static int DaysInMonth(int y, int m) => m == 2 ? (IsLeap(y) ? 29 : 28) : (m is 4 or 6 or 9 or 11 ? 30 : 31);

    private static long DaysBeforeYear(int y)
    {
        var p = y - 1;
        return p * 365L + p / 4 - p / 100 + p / 400;
    }

    private static int DaysBeforeMonth(int y, int m)
    {
        ReadOnlySpan<short> cumulative = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
        return cumulative[m - 1] + (m > 2 && IsLeap(y) ? 1 : 0);
    }
}
