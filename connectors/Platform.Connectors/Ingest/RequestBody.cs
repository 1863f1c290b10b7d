using System.Buffers;
using System.IO.Compression;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Platform.Connectors.Ingest;

/// <summary>
/// A request body read into a pooled buffer with a hard bound (never an unbounded ReadToEnd):
/// Content-Length is checked first, the read stops one byte past the limit, and a gzip body is
/// inflated into a buffer capped by the limit too (a gzip bomb costs at most the cap).
/// </summary>
internal sealed class RequestBody : IDisposable
{
    private byte[] _buffer;

    private RequestBody(byte[] buffer, int length)
    {
        _buffer = buffer;
        Length = length;
    }

    public int Length { get; }

    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, Length);

    public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, Length);

    public void Dispose()
    {
        var b = Interlocked.Exchange(ref _buffer, []);
        if (b.Length > 0) ArrayPool<byte>.Shared.Return(b);
    }

    /// <summary>Reads the body (at most <paramref name="limit"/> bytes raw and decoded) or says why not.</summary>
    public static async Task<(RequestBody? Body, IngestResult Error)> ReadAsync(HttpContext context, int limit, int decompressedLimit, CancellationToken cancellationToken)
    {
        var request = context.Request;
        if (request.ContentLength is { } declared && declared > limit)
        {
            return (null, IngestResult.Error(413, "body", $"body is {declared} bytes; the limit here is {limit}"));
        }
        var sizeFeature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (sizeFeature is { IsReadOnly: false }) sizeFeature.MaxRequestBodySize = limit + 1L;
        var encoding = request.Headers.ContentEncoding.ToString();
        var gzip = encoding.Equals("gzip", StringComparison.OrdinalIgnoreCase);
        if (encoding.Length > 0 && !gzip && !encoding.Equals("identity", StringComparison.OrdinalIgnoreCase))
        {
            return (null, IngestResult.Error(415, "Content-Encoding", $"'{encoding}' is not supported; send identity or gzip"));
        }
        var raw = await ReadBoundedAsync(request.Body, limit, cancellationToken);
        if (raw.Body is null) return (null, IngestResult.Error(413, "body", $"body exceeds the limit of {limit} bytes"));
        if (!gzip) return (raw.Body, default);
        using (raw.Body)
        {
            var cap = Math.Min(limit, decompressedLimit);
            try
            {
                await using var inflater = new GZipStream(new MemoryStream(raw.Body._buffer, 0, raw.Body.Length, writable: false), CompressionMode.Decompress);
                var inflated = await ReadBoundedAsync(inflater, cap, cancellationToken);
                return inflated.Body is null
                    ? (null, IngestResult.Error(413, "Content-Encoding", $"gzip body inflates past the limit of {cap} bytes"))
                    : (inflated.Body, default);
            }
            catch (InvalidDataException e)
            {
                return (null, IngestResult.Error(400, "Content-Encoding", "invalid gzip data: " + e.Message));
            }
        }
    }

    private static async Task<(RequestBody? Body, bool TooLarge)> ReadBoundedAsync(Stream stream, int limit, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(limit + 1, 16 * 1024));
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > limit) break;
                    var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(limit + 1, buffer.Length * 2));
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }
                var n = await stream.ReadAsync(buffer.AsMemory(length, Math.Min(buffer.Length, limit + 1) - length), cancellationToken);
                if (n == 0) break;
                length += n;
                if (length > limit) break;
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
        if (length > limit)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return (null, true);
        }
        return (new RequestBody(buffer, length), false);
    }
}
