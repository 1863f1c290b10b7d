using System.Globalization;

namespace Platform.Host.Config.Binding;

/// <summary>Parsers of the scalar forms the YAML format uses: durations, sizes, numbers, kebab-case enums.</summary>
internal static class ValueParsers
{
    private static readonly (string Unit, TimeSpan Scale)[] DurationUnits =
    [
        ("ms", TimeSpan.FromMilliseconds(1)),
        ("s", TimeSpan.FromSeconds(1)),
        ("m", TimeSpan.FromMinutes(1)),
        ("h", TimeSpan.FromHours(1)),
        ("d", TimeSpan.FromDays(1)),
    ];

    private static readonly (string Unit, long Scale)[] SizeUnits =
    [
        ("B", 1),
        ("KiB", 1L << 10),
        ("MiB", 1L << 20),
        ("GiB", 1L << 30),
        ("KB", 1_000),
        ("MB", 1_000_000),
        ("GB", 1_000_000_000),
    ];

    /// <summary>
    /// A duration: a number and a unit (<c>ms</c>, <c>s</c>, <c>m</c>, <c>h</c>, <c>d</c>), e.g. 500ms,
    /// 10s, 1.5m, 1h; parts may be combined (1m30s); a bare <c>0</c> is zero.
    /// </summary>
    public static bool TryParseDuration(string text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        var s = text.Trim();
        if (s == "0")
        {
            return true;
        }
        if (s.Length == 0)
        {
            return false;
        }
        var total = 0.0;
        var i = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.' || s[i] == '_'))
            {
                i++;
            }
            if (i == start || !TryParseDouble(s[start..i], out var number))
            {
                return false;
            }
            var unitStart = i;
            while (i < s.Length && char.IsAsciiLetter(s[i]))
            {
                i++;
            }
            var unit = s[unitStart..i];
            var scale = Array.Find(DurationUnits, u => u.Unit == unit);
            if (scale.Unit is null)
            {
                return false;
            }
            total += number * scale.Scale.Ticks;
        }
        if (total > TimeSpan.MaxValue.Ticks)
        {
            return false;
        }
        value = TimeSpan.FromTicks((long)Math.Round(total));
        return true;
    }

    /// <summary>A size in bytes: a number and a unit (B, KiB, MiB, GiB, KB, MB, GB), or a bare number of bytes.</summary>
    public static bool TryParseSize(string text, out long value)
    {
        value = 0;
        var s = text.Trim();
        var i = 0;
        while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.' || s[i] == '_'))
        {
            i++;
        }
        if (i == 0 || !TryParseDouble(s[..i], out var number))
        {
            return false;
        }
        var unit = s[i..].Trim();
        long scale = 1;
        if (unit.Length > 0)
        {
            var match = Array.Find(SizeUnits, u => string.Equals(u.Unit, unit, StringComparison.OrdinalIgnoreCase));
            if (match.Unit is null)
            {
                return false;
            }
            scale = match.Scale;
        }
        var bytes = number * scale;
        if (bytes > long.MaxValue || bytes != Math.Floor(bytes))
        {
            return false;
        }
        value = (long)bytes;
        return true;
    }

    /// <summary>A whole number; '_' may separate digit groups (2_000_000).</summary>
    public static bool TryParseInt64(string text, out long value) =>
        long.TryParse(text.Trim().Replace("_", "", StringComparison.Ordinal), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);

    /// <summary>A number; '_' may separate digit groups.</summary>
    public static bool TryParseDouble(string text, out double value) =>
        double.TryParse(text.Trim().Replace("_", "", StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture, out value)
        && double.IsFinite(value);

    /// <summary>An enum member in kebab-case, case-insensitively ('_' accepted for '-').</summary>
    public static bool TryParseEnum<T>(string text, out T value)
        where T : struct, Enum
    {
        var wanted = text.Trim().Replace('_', '-').ToLowerInvariant();
        foreach (var member in Enum.GetValues<T>())
        {
            if (Kebab(member) == wanted)
            {
                value = member;
                return true;
            }
        }
        value = default;
        return false;
    }

    /// <summary>The kebab-case names of an enum's members.</summary>
    public static IReadOnlyList<string> KebabNames<T>()
        where T : struct, Enum => [.. Enum.GetValues<T>().Select(v => Kebab(v))];

    /// <summary>An enum member's YAML spelling: SideOutput → side-output.</summary>
    public static string Kebab<T>(T value)
        where T : struct, Enum
    {
        var name = value.ToString();
        var builder = new System.Text.StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                builder.Append('-');
            }
            builder.Append(char.ToLowerInvariant(name[i]));
        }
        return builder.ToString();
    }

    /// <summary>The shortest canonical spelling of a duration: 10s, 500ms, 1m30s.</summary>
    public static string FormatDuration(TimeSpan value)
    {
        if (value == TimeSpan.Zero)
        {
            return "0s";
        }
        if (value.Ticks % TimeSpan.TicksPerMillisecond != 0)
        {
            return (value.TotalMilliseconds).ToString("0.####", CultureInfo.InvariantCulture) + "ms";
        }
        var parts = new System.Text.StringBuilder();
        var rest = value;
        foreach (var (unit, scale) in DurationUnits.Reverse())
        {
            var count = rest.Ticks / scale.Ticks;
            if (count > 0)
            {
                parts.Append(count.ToString(CultureInfo.InvariantCulture)).Append(unit);
                rest -= TimeSpan.FromTicks(count * scale.Ticks);
            }
        }
        return parts.ToString();
    }

    /// <summary>The shortest exact spelling of a size: 256KiB, 1MiB, 1000B.</summary>
    public static string FormatSize(long bytes)
    {
        foreach (var (unit, scale) in new[] { ("GiB", 1L << 30), ("MiB", 1L << 20), ("KiB", 1L << 10) })
        {
            if (bytes != 0 && bytes % scale == 0)
            {
                return (bytes / scale).ToString(CultureInfo.InvariantCulture) + unit;
            }
        }
        return bytes.ToString(CultureInfo.InvariantCulture) + "B";
    }
}
