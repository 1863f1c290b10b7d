using System.Security.Cryptography;
using System.Text;

namespace Platform.Connectors.Ingest;

/// <summary>HMAC-SHA256 signature checks in constant time over the raw body.</summary>
internal static class Signatures
{
    /// <summary>
    /// True when <paramref name="header"/> is <paramref name="prefix"/> + hex(HMAC-SHA256(secret, prelude + body)).
    /// The comparison is <see cref="CryptographicOperations.FixedTimeEquals"/> over the decoded bytes.
    /// </summary>
    public static bool Verify(string? header, string prefix, byte[] secret, ReadOnlySpan<byte> prelude, ReadOnlySpan<byte> body)
    {
        if (header is null || !header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) return false;
        var hex = header.AsSpan(prefix.Length).Trim();
        if (hex.Length != 64) return false;
        Span<byte> given = stackalloc byte[32];
        if (Convert.FromHexString(hex, given, out _, out var written) != System.Buffers.OperationStatus.Done || written != 32) return false;
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, secret);
        hmac.AppendData(prelude);
        hmac.AppendData(body);
        Span<byte> expected = stackalloc byte[32];
        hmac.GetHashAndReset(expected);
        return CryptographicOperations.FixedTimeEquals(given, expected);
    }

    /// <summary>The header value a sender would compute (for tests and clients).</summary>
    public static string Sign(string secret, string prelude, ReadOnlySpan<byte> body, string prefix = "sha256=")
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret));
        hmac.AppendData(Encoding.UTF8.GetBytes(prelude));
        hmac.AppendData(body);
        return prefix + Convert.ToHexStringLower(hmac.GetHashAndReset());
    }
}
