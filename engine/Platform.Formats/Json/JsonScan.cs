using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Unicode;

namespace Platform.Formats.Json;

/// <summary>What went wrong while scanning a JSON token (strict RFC 8259).</summary>
internal enum JsonScanError : byte
{
    None = 0,
    UnexpectedEnd,
    InvalidUtf8,
    ControlCharacter,
    InvalidEscape,
    InvalidNumber,
    InvalidValue,
    TooDeep,
    ExpectedKey,
    ExpectedColon,
    ExpectedCommaOrClose,
}

/// <summary>
/// Strict, allocation-free JSON token scanning on UTF-8 spans: strings, numbers, literals and
/// whole skipped values. Everything accepted here is accepted by System.Text.Json.
/// </summary>
internal static class JsonScan
{
    /// <summary>Deepest nesting accepted, counting the top-level object as 1 (System.Text.Json's default).</summary>
    public const int MaxDepth = 64;

    // Bytes that stop the fast string scan: '"', '\\', control characters and every non-ASCII byte.
    private static readonly SearchValues<byte> StringStops = SearchValues.Create(BuildStops(includeNonAscii: true));
    // The same without non-ASCII: used to find the extent of a non-ASCII run to validate at once.
    private static readonly SearchValues<byte> AsciiStops = SearchValues.Create(BuildStops(includeNonAscii: false));

    private static byte[] BuildStops(bool includeNonAscii)
    {
        var list = new List<byte>();
        for (var b = 0; b < 0x20; b++) list.Add((byte)b);
        list.Add((byte)'"');
        list.Add((byte)'\\');
        if (includeNonAscii) for (var b = 0x80; b < 0x100; b++) list.Add((byte)b);
        return [.. list];
    }

    /// <summary>
    /// Skips JSON insignificant whitespace within one NDJSON record: space, tab, CR. LF is not skipped: it ends
    /// the record, so a scan over more than one line stops there (a single line never holds one).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int SkipWhitespace(ReadOnlySpan<byte> s, int i)
    {
        while ((uint)i < (uint)s.Length)
        {
            var b = s[i];
            if (b > (byte)' ' || (b != (byte)' ' && b != (byte)'\t' && b != (byte)'\r')) break;
            i++;
        }
        return i;
    }

    /// <summary>
    /// Scans a string whose opening quote is at <paramref name="start"/> - 1. Returns the index of the
    /// closing quote, or -1 with <paramref name="error"/>/<paramref name="errorAt"/> set.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int ScanString(ReadOnlySpan<byte> s, int start, out bool escaped, out JsonScanError error, out int errorAt)
    {
        escaped = false;
        var k = s.Slice(start).IndexOfAny(StringStops);
        if (k >= 0 && s[start + k] == (byte)'"')
        {
            error = JsonScanError.None;
            errorAt = 0;
            return start + k;
        }
        return ScanStringSlow(s, start, k < 0 ? -1 : start + k, ref escaped, out error, out errorAt);
    }

    private static int ScanStringSlow(ReadOnlySpan<byte> s, int start, int i, ref bool escaped, out JsonScanError error, out int errorAt)
    {
        while (true)
        {
            if (i < 0)
            {
                error = JsonScanError.UnexpectedEnd;
                errorAt = s.Length;
                return -1;
            }
            var b = s[i];
            if (b == (byte)'"')
            {
                error = JsonScanError.None;
                errorAt = 0;
                return i;
            }
            if (b == (byte)'\\')
            {
                escaped = true;
                var len = EscapeLength(s, i);
                if (len <= 0)
                {
                    error = len == 0 ? JsonScanError.UnexpectedEnd : JsonScanError.InvalidEscape;
                    errorAt = len == 0 ? s.Length : i;
                    return -1;
                }
                i += len;
            }
            else if (b < 0x20)
            {
                error = JsonScanError.ControlCharacter;
                errorAt = i;
                return -1;
            }
            else
            {
                // A run of non-ASCII (and ASCII text) up to the next quote, backslash or control byte.
                var run = s.Slice(i);
                var end = run.IndexOfAny(AsciiStops);
                if (end >= 0) run = run[..end];
                if (!Utf8.IsValid(run))
                {
                    error = JsonScanError.InvalidUtf8;
                    errorAt = i + FirstInvalidUtf8(run);
                    return -1;
                }
                i += run.Length;
                if (end < 0)
                {
                    i = -1;
                    continue;
                }
            }
            var next = s.Slice(i).IndexOfAny(StringStops);
            i = next < 0 ? -1 : i + next;
        }
    }

    /// <summary>Length of the escape at <paramref name="i"/> (a backslash); 0 when truncated, -1 when invalid.</summary>
    private static int EscapeLength(ReadOnlySpan<byte> s, int i)
    {
        if (i + 1 >= s.Length) return 0;
        switch (s[i + 1])
        {
            case (byte)'"': case (byte)'\\': case (byte)'/': case (byte)'b':
            case (byte)'f': case (byte)'n': case (byte)'r': case (byte)'t':
                return 2;
            case (byte)'u':
                for (var j = 2; j < 6; j++)
                {
                    if (i + j >= s.Length) return 0;
                    if (HexValue(s[i + j]) < 0) return -1;
                }
                return 6;
            default:
                return -1;
        }
    }

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> run)
    {
        var i = 0;
        while (i < run.Length)
        {
            if (Rune.DecodeFromUtf8(run.Slice(i), out _, out var n) != OperationStatus.Done) return i;
            i += n;
        }
        return run.Length;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int HexValue(byte b)
    {
        var d = (uint)(b - '0');
        if (d <= 9) return (int)d;
        var l = (uint)((b | 0x20) - 'a');
        return l <= 5 ? (int)l + 10 : -1;
    }

    /// <summary>
    /// Unescapes a string body already validated by <see cref="ScanString"/> into <paramref name="dest"/>.
    /// Returns bytes written, -1 when <paramref name="dest"/> is too small, -2 on an unpaired surrogate escape.
    /// </summary>
    public static int Unescape(ReadOnlySpan<byte> raw, Span<byte> dest)
    {
        var w = 0;
        var i = 0;
        while (i < raw.Length)
        {
            var k = raw.Slice(i).IndexOf((byte)'\\');
            var plain = k < 0 ? raw.Slice(i) : raw.Slice(i, k);
            if (w + plain.Length > dest.Length) return -1;
            plain.CopyTo(dest.Slice(w));
            w += plain.Length;
            if (k < 0) break;
            i += k;
            var c = raw[i + 1];
            if (c != (byte)'u')
            {
                if (w >= dest.Length) return -1;
                dest[w++] = c switch
                {
                    (byte)'b' => (byte)'\b',
                    (byte)'f' => (byte)'\f',
                    (byte)'n' => (byte)'\n',
                    (byte)'r' => (byte)'\r',
                    (byte)'t' => (byte)'\t',
                    _ => c,
                };
                i += 2;
                continue;
            }
            var cp = Hex4(raw, i + 2);
            i += 6;
            if (cp is >= 0xD800 and <= 0xDBFF)
            {
                if (i + 6 > raw.Length || raw[i] != (byte)'\\' || raw[i + 1] != (byte)'u') return -2;
                var lo = Hex4(raw, i + 2);
                if (lo is < 0xDC00 or > 0xDFFF) return -2;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                i += 6;
            }
            else if (cp is >= 0xDC00 and <= 0xDFFF)
            {
                return -2;
            }
            if (!new Rune(cp).TryEncodeToUtf8(dest.Slice(w), out var n)) return -1;
            w += n;
        }
        return w;
    }

    private static int Hex4(ReadOnlySpan<byte> s, int i) =>
        (HexValue(s[i]) << 12) | (HexValue(s[i + 1]) << 8) | (HexValue(s[i + 2]) << 4) | HexValue(s[i + 3]);

    /// <summary>Validates a number token starting at <paramref name="i"/>; returns its end or -1.</summary>
    public static int ScanNumber(ReadOnlySpan<byte> s, int i)
    {
        if ((uint)i < (uint)s.Length && s[i] == (byte)'-') i++;
        if ((uint)i >= (uint)s.Length) return -1;
        if (s[i] == (byte)'0')
        {
            i++;
        }
        else if (IsDigit(s[i]))
        {
            i++;
            while ((uint)i < (uint)s.Length && IsDigit(s[i])) i++;
        }
        else
        {
            return -1;
        }
        if ((uint)i < (uint)s.Length && s[i] == (byte)'.')
        {
            i++;
            if ((uint)i >= (uint)s.Length || !IsDigit(s[i])) return -1;
            while ((uint)i < (uint)s.Length && IsDigit(s[i])) i++;
        }
        if ((uint)i < (uint)s.Length && (s[i] | 0x20) == (byte)'e')
        {
            i++;
            if ((uint)i < (uint)s.Length && (s[i] == (byte)'+' || s[i] == (byte)'-')) i++;
            if ((uint)i >= (uint)s.Length || !IsDigit(s[i])) return -1;
            while ((uint)i < (uint)s.Length && IsDigit(s[i])) i++;
        }
        // "01" or "1.5.2" are caught by the caller's delimiter check, except a digit right after a lone 0.
        if ((uint)i < (uint)s.Length && IsDigit(s[i])) return -1;
        return i;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsDigit(byte b) => (uint)(b - '0') <= 9;

    /// <summary>
    /// Skips one JSON value of any kind starting at <paramref name="i"/> (whitespace already skipped),
    /// nested inside <paramref name="depth"/> open containers. Returns the index after it, or -1 with the error.
    /// </summary>
    public static int SkipValue(ReadOnlySpan<byte> s, int i, int depth, out JsonScanError error, out int errorAt)
    {
        error = JsonScanError.None;
        errorAt = 0;
        if ((uint)i >= (uint)s.Length) return Err(JsonScanError.UnexpectedEnd, s.Length, out error, out errorAt);
        var b = s[i];
        if (b != (byte)'{' && b != (byte)'[') return SkipScalar(s, i, out error, out errorAt);

        ulong objects = 0; // bit per open container: 1 = object
        var level = 0;
        while (true)
        {
            // s[i] opens a container.
            if (depth + level + 1 > MaxDepth) return Err(JsonScanError.TooDeep, i, out error, out errorAt);
            var isObject = s[i] == (byte)'{';
            objects = (objects << 1) | (isObject ? 1UL : 0UL);
            level++;
            i = SkipWhitespace(s, i + 1);
            if ((uint)i >= (uint)s.Length) return Err(JsonScanError.UnexpectedEnd, s.Length, out error, out errorAt);
            if (s[i] == (isObject ? (byte)'}' : (byte)']'))
            {
                i++;
                goto Closed;
            }

        Element:
            if ((objects & 1) != 0)
            {
                if (s[i] != (byte)'"') return Err(JsonScanError.ExpectedKey, i, out error, out errorAt);
                var end = ScanString(s, i + 1, out _, out error, out errorAt);
                if (end < 0) return -1;
                i = SkipWhitespace(s, end + 1);
                if ((uint)i >= (uint)s.Length) return Err(JsonScanError.UnexpectedEnd, s.Length, out error, out errorAt);
                if (s[i] != (byte)':') return Err(JsonScanError.ExpectedColon, i, out error, out errorAt);
                i = SkipWhitespace(s, i + 1);
                if ((uint)i >= (uint)s.Length) return Err(JsonScanError.UnexpectedEnd, s.Length, out error, out errorAt);
            }
            b = s[i];
            if (b == (byte)'{' || b == (byte)'[') continue;
            i = SkipScalar(s, i, out error, out errorAt);
            if (i < 0) return -1;

        After:
            i = SkipWhitespace(s, i);
            if ((uint)i >= (uint)s.Length) return Err(JsonScanError.UnexpectedEnd, s.Length, out error, out errorAt);
            b = s[i];
            if (b == (byte)',')
            {
                i = SkipWhitespace(s, i + 1);
                if ((uint)i >= (uint)s.Length) return Err(JsonScanError.UnexpectedEnd, s.Length, out error, out errorAt);
                goto Element;
            }
            if (b != ((objects & 1) != 0 ? (byte)'}' : (byte)']')) return Err(JsonScanError.ExpectedCommaOrClose, i, out error, out errorAt);
            i++;

        Closed:
            level--;
            objects >>= 1;
            if (level == 0) return i;
            goto After;
        }
    }

    /// <summary>Skips a string, number or literal at <paramref name="i"/>.</summary>
    public static int SkipScalar(ReadOnlySpan<byte> s, int i, out JsonScanError error, out int errorAt)
    {
        error = JsonScanError.None;
        errorAt = 0;
        var b = s[i];
        if (b == (byte)'"')
        {
            var end = ScanString(s, i + 1, out _, out error, out errorAt);
            return end < 0 ? -1 : end + 1;
        }
        if (b == (byte)'-' || IsDigit(b))
        {
            var end = ScanNumber(s, i);
            return end < 0 ? Err(JsonScanError.InvalidNumber, i, out error, out errorAt) : end;
        }
        var rest = s.Slice(i);
        if (rest.StartsWith("true"u8)) return i + 4;
        if (rest.StartsWith("false"u8)) return i + 5;
        if (rest.StartsWith("null"u8)) return i + 4;
        return Err(JsonScanError.InvalidValue, i, out error, out errorAt);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int Err(JsonScanError code, int at, out JsonScanError error, out int errorAt)
    {
        error = code;
        errorAt = at;
        return -1;
    }

    /// <summary>The JSON type a value starting with <paramref name="b"/> has, for error messages.</summary>
    public static string TypeName(byte b) => b switch
    {
        (byte)'"' => "string",
        (byte)'{' => "object",
        (byte)'[' => "array",
        (byte)'t' or (byte)'f' => "boolean",
        (byte)'n' => "null",
        (byte)'-' or (>= (byte)'0' and <= (byte)'9') => "number",
        _ => "invalid token",
    };
}
