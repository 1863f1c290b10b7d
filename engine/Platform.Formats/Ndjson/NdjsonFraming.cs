using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace Platform.Formats.Ndjson;

/// <summary>Receives the lines an NDJSON framer cuts.</summary>
internal interface INdjsonLineHandler
{
    /// <summary>A non-blank line of at most the limit, without its "\n" / "\r\n".</summary>
    void OnLine(ReadOnlySpan<byte> line, long position);

    /// <summary>A line over the limit: <paramref name="head"/> holds its first limit bytes; the rest is skipped.</summary>
    void OnOversized(ReadOnlySpan<byte> head, long position);

    /// <summary>
    /// Fast path: parses the record at the start of <paramref name="window"/> before the line has been cut, and takes
    /// it only when <see cref="NdjsonFraming.TryAcceptEnd"/> accepts where it ended. Returns the bytes consumed (the
    /// line and its '\n'), or -1 — having taken nothing — to have the line cut and given to <see cref="OnLine"/>
    /// (every failure goes that way, so reasons are always those of the one-line parse).
    /// </summary>
    int TryRecordAt(ReadOnlySpan<byte> window, bool windowEndsData, long position);
}

/// <summary>
/// Cuts NDJSON into lines: '\n'-terminated (an optional '\r' before it is dropped), a final line without
/// '\n' counts, blank lines are skipped. Spans and multi-segment sequences give the same lines with the same
/// positions; only lines that straddle segments are copied (into a pooled buffer). A line over the limit is
/// detected after limit + 2 bytes and not looked at further except to find its end.
/// </summary>
internal static class NdjsonFraming
{
    /// <summary>
    /// Frames <paramref name="data"/>. Returns the bytes consumed: all of them when <paramref name="isFinal"/>,
    /// otherwise up to the start of an incomplete last line. <paramref name="skipping"/> carries "inside an
    /// oversized line" from one call to the next.
    /// </summary>
    public static int FrameSpan<THandler>(ReadOnlySpan<byte> data, long basePosition, int maxLineBytes, bool isFinal, ref bool skipping, ref THandler handler)
        where THandler : struct, INdjsonLineHandler
    {
        var pos = 0;
        if (skipping)
        {
            var k = data.IndexOf((byte)'\n');
            if (k < 0)
            {
                skipping = !isFinal;
                return data.Length;
            }
            pos = k + 1;
            skipping = false;
        }
        var window = maxLineBytes + 2;
        while (pos < data.Length)
        {
            var rest = data.Slice(pos);
            var bounded = rest.Length > window ? rest[..window] : rest;
            if (bounded[0] == (byte)'{')
            {
                PrefetchAhead(data, pos);
                // Parse first and find the line end as a by-product: one pass over the bytes instead of two.
                var taken = handler.TryRecordAt(bounded, isFinal && bounded.Length == rest.Length, basePosition + pos);
                if (taken >= 0)
                {
                    pos += taken;
                    continue;
                }
            }
            var k = bounded.IndexOf((byte)'\n');
            if (k >= 0)
            {
                Deliver(rest[..k], basePosition + pos, maxLineBytes, ref handler);
                pos += k + 1;
                continue;
            }
            if (rest.Length >= window)
            {
                handler.OnOversized(rest[..maxLineBytes], basePosition + pos);
                var end = rest.Slice(window).IndexOf((byte)'\n');
                if (end < 0)
                {
                    skipping = !isFinal;
                    return data.Length;
                }
                pos += window + end + 1;
                continue;
            }
            if (!isFinal) return pos;
            Deliver(rest, basePosition + pos, maxLineBytes, ref handler);
            return data.Length;
        }
        return pos;
    }

    /// <summary>How far ahead of the record being parsed the input is prefetched: about four records.</summary>
    private const int PrefetchDistance = 1024;

    /// <summary>
    /// Asks for the input a few records ahead (four cache lines, about one record's worth per record parsed): the
    /// parser reads a line in a few scattered 32-byte steps, which the hardware prefetcher follows too late when
    /// the input comes from memory rather than cache.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void PrefetchAhead(ReadOnlySpan<byte> data, int pos)
    {
        if (!Sse.IsSupported || data.Length - pos < PrefetchDistance + 256) return;
        var p = (byte*)Unsafe.AsPointer(ref Unsafe.Add(ref MemoryMarshal.GetReference(data), pos + PrefetchDistance));
        Sse.Prefetch0(p);
        Sse.Prefetch0(p + 64);
        Sse.Prefetch0(p + 128);
        Sse.Prefetch0(p + 192);
    }

    /// <summary>
    /// Whether a record parsed from the start of <paramref name="window"/> that ended at <paramref name="end"/>
    /// (a '\n' or the window's end) makes a whole line within the limit; <paramref name="consumed"/> counts its '\n'.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryAcceptEnd(ReadOnlySpan<byte> window, int end, bool windowEndsData, int maxLineBytes, out int consumed)
    {
        var content = end > 0 && window[end - 1] == (byte)'\r' ? end - 1 : end;
        consumed = end + 1;
        if (content > maxLineBytes) return false;
        if (end < window.Length) return true;
        consumed = end;
        return windowEndsData;
    }

    /// <summary>
    /// Frames a sequence. Returns the bytes consumed (all when <paramref name="isFinal"/>); the caller advances
    /// its reader by that much and keeps the rest for the next call together with <paramref name="skipping"/>.
    /// </summary>
    public static long FrameSequence<THandler>(ReadOnlySequence<byte> buffer, long basePosition, int maxLineBytes, bool isFinal, ref bool skipping, ref THandler handler)
        where THandler : struct, INdjsonLineHandler
    {
        if (buffer.IsSingleSegment) return FrameSpan(buffer.FirstSpan, basePosition, maxLineBytes, isFinal, ref skipping, ref handler);
        long consumed = 0;
        var window = maxLineBytes + 2;
        while (!buffer.IsEmpty)
        {
            if (skipping)
            {
                var nl = buffer.PositionOf((byte)'\n');
                if (nl is null)
                {
                    consumed += buffer.Length;
                    skipping = !isFinal;
                    break;
                }
                var skipped = buffer.Slice(0, nl.Value).Length + 1;
                consumed += skipped;
                buffer = buffer.Slice(skipped);
                skipping = false;
                continue;
            }
            var first = buffer.FirstSpan;
            var last = buffer.IsSingleSegment;
            if (first.Length > 0)
            {
                var n = FrameSpan(first, basePosition + consumed, maxLineBytes, isFinal && last, ref skipping, ref handler);
                consumed += n;
                buffer = buffer.Slice(n);
                if (skipping || buffer.IsEmpty || n == first.Length) continue;
                if (last) break; // an incomplete line, more data to come
            }
            // The next line starts in this segment and ends in a later one.
            var head = buffer.Length > window ? buffer.Slice(0, window) : buffer;
            var newline = head.PositionOf((byte)'\n');
            if (newline is { } p)
            {
                var line = head.Slice(0, p);
                var length = (int)line.Length;
                DeliverCopy(line, length, basePosition + consumed, maxLineBytes, oversized: false, ref handler);
                consumed += length + 1;
                buffer = buffer.Slice(length + 1);
                continue;
            }
            if (head.Length >= window)
            {
                DeliverCopy(head, maxLineBytes, basePosition + consumed, maxLineBytes, oversized: true, ref handler);
                consumed += head.Length;
                buffer = buffer.Slice(head.Length);
                skipping = true;
                continue;
            }
            if (!isFinal) break;
            DeliverCopy(buffer, (int)buffer.Length, basePosition + consumed, maxLineBytes, oversized: false, ref handler);
            consumed += buffer.Length;
            break;
        }
        return consumed;
    }

    private static void DeliverCopy<THandler>(ReadOnlySequence<byte> source, int length, long position, int maxLineBytes, bool oversized, ref THandler handler)
        where THandler : struct, INdjsonLineHandler
    {
        var rented = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        try
        {
            var span = rented.AsSpan(0, length);
            source.Slice(0, length).CopyTo(span);
            if (oversized) handler.OnOversized(span, position);
            else Deliver(span, position, maxLineBytes, ref handler);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Deliver<THandler>(ReadOnlySpan<byte> line, long position, int maxLineBytes, ref THandler handler)
        where THandler : struct, INdjsonLineHandler
    {
        if (line.Length > 0 && line[^1] == (byte)'\r') line = line[..^1];
        if (line.Length > maxLineBytes)
        {
            handler.OnOversized(line[..maxLineBytes], position);
            return;
        }
        if (line.IsEmpty) return;
        var b = line[0];
        if ((b == (byte)' ' || b == (byte)'\t' || b == (byte)'\r') && line.IndexOfAnyExcept(" \t\r"u8) < 0) return;
        handler.OnLine(line, position);
    }
}
