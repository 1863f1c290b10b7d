using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Platform.Connectors.Aws;

/// <summary>The headers a signed request must carry.</summary>
/// <param name="Authorization">The <c>Authorization</c> header value.</param>
/// <param name="AmzDate">The <c>X-Amz-Date</c> header value (yyyyMMddTHHmmssZ).</param>
/// <param name="SecurityToken">The <c>X-Amz-Security-Token</c> value, or null.</param>
/// <param name="PayloadHash">Hex SHA-256 of the body (for <c>X-Amz-Content-Sha256</c> when a service wants it).</param>
public readonly record struct SigV4Headers(string Authorization, string AmzDate, string? SecurityToken, string PayloadHash);

/// <summary>
/// AWS Signature Version 4 (header form): canonical request, string to sign, signing key and
/// signature, as AWS documents them and as its published test suite checks. The static methods are
/// the algorithm's steps (tests and the local EventBridge endpoint verify with them); an instance
/// signs requests for one region and service and caches the day's signing key.
/// </summary>
public sealed class SigV4Signer
{
    /// <summary>The algorithm name in the string to sign and the Authorization header.</summary>
    public const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>Hex SHA-256 of an empty body.</summary>
    public const string EmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    private sealed record KeyCache(string SecretAccessKey, string Date, byte[] Key);

    private KeyCache? _key;

    /// <summary>Creates a signer for <paramref name="region"/> and <paramref name="service"/> ("kinesis", "events").</summary>
    public SigV4Signer(string region, string service)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(region);
        ArgumentException.ThrowIfNullOrWhiteSpace(service);
        Region = region;
        Service = service;
    }

    /// <summary>The region in the credential scope.</summary>
    public string Region { get; }

    /// <summary>The service in the credential scope.</summary>
    public string Service { get; }

    /// <summary>
    /// Signs a request. <paramref name="headers"/> are the headers to sign besides <c>host</c> and
    /// <c>x-amz-date</c> (which are added; pass <c>host</c> only to override the URI's authority); the
    /// session token, when the credentials have one, is signed as <c>x-amz-security-token</c>.
    /// </summary>
    public SigV4Headers Sign(
        AwsCredentials credentials,
        string method,
        Uri uri,
        IEnumerable<KeyValuePair<string, string>> headers,
        ReadOnlySpan<byte> payload,
        DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentNullException.ThrowIfNull(uri);
        var amzDate = FormatAmzDate(now);
        var payloadHash = HashHex(payload);
        var all = new List<KeyValuePair<string, string>>(8);
        var hasHost = false;
        foreach (var h in headers)
        {
            if (h.Key.Equals("host", StringComparison.OrdinalIgnoreCase)) hasHost = true;
            all.Add(h);
        }
        if (!hasHost) all.Add(new("host", uri.IsDefaultPort ? uri.Host : uri.Authority));
        all.Add(new("x-amz-date", amzDate));
        if (credentials.SessionToken is { } token) all.Add(new("x-amz-security-token", token));
        var canonical = CanonicalRequest(method, Uri.UnescapeDataString(uri.AbsolutePath), ParseQuery(uri.Query), all, payloadHash, out var signedHeaders);
        var date = amzDate[..8];
        var scope = Scope(date, Region, Service);
        var toSign = StringToSign(amzDate, scope, canonical);
        var signature = Signature(SigningKeyFor(credentials.SecretAccessKey, date), toSign);
        var authorization = $"{Algorithm} Credential={credentials.AccessKeyId}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}";
        return new SigV4Headers(authorization, amzDate, credentials.SessionToken, payloadHash);
    }

    private byte[] SigningKeyFor(string secret, string date)
    {
        var cached = Volatile.Read(ref _key);
        if (cached is not null && cached.Date == date && ReferenceEquals(cached.SecretAccessKey, secret)) return cached.Key;
        var key = SigningKey(secret, date, Region, Service);
        Volatile.Write(ref _key, new KeyCache(secret, date, key));
        return key;
    }

    /// <summary>yyyyMMddTHHmmssZ in UTC.</summary>
    public static string FormatAmzDate(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    /// <summary>The credential scope: date/region/service/aws4_request.</summary>
    public static string Scope(string date, string region, string service) => $"{date}/{region}/{service}/aws4_request";

    /// <summary>
    /// The canonical request. <paramref name="path"/> is the decoded path (each segment is URI-encoded
    /// once, as the test suite does); query pairs are decoded names and values; header names are
    /// case-insensitive, values are trimmed and inner runs of spaces collapsed, repeated names joined
    /// with commas in order. <paramref name="signedHeaders"/> receives the sorted, lower-cased names.
    /// </summary>
    public static string CanonicalRequest(
        string method,
        string path,
        IEnumerable<KeyValuePair<string, string>> query,
        IEnumerable<KeyValuePair<string, string>> headers,
        string payloadHash,
        out string signedHeaders)
    {
        var sb = new StringBuilder(256);
        sb.Append(method.ToUpperInvariant()).Append('\n');
        AppendCanonicalUri(sb, path);
        sb.Append('\n');

        var q = query.Select(p => (Name: UriEncode(p.Key), Value: UriEncode(p.Value))).ToList();
        q.Sort((a, b) =>
        {
            var c = string.CompareOrdinal(a.Name, b.Name);
            return c != 0 ? c : string.CompareOrdinal(a.Value, b.Value);
        });
        for (var i = 0; i < q.Count; i++)
        {
            if (i > 0) sb.Append('&');
            sb.Append(q[i].Name).Append('=').Append(q[i].Value);
        }
        sb.Append('\n');

        var byName = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var h in headers)
        {
            var name = h.Key.Trim().ToLowerInvariant();
            var value = TrimAll(h.Value);
            byName[name] = byName.TryGetValue(name, out var prior) ? prior + "," + value : value;
        }
        foreach (var (name, value) in byName) sb.Append(name).Append(':').Append(value).Append('\n');
        sb.Append('\n');
        signedHeaders = string.Join(';', byName.Keys);
        sb.Append(signedHeaders).Append('\n');
        sb.Append(payloadHash);
        return sb.ToString();
    }

    /// <summary>The string to sign: algorithm, date, scope and the hex SHA-256 of the canonical request.</summary>
    public static string StringToSign(string amzDate, string scope, string canonicalRequest) =>
        $"{Algorithm}\n{amzDate}\n{scope}\n{HashHex(Encoding.UTF8.GetBytes(canonicalRequest))}";

    /// <summary>kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request").</summary>
    public static byte[] SigningKey(string secretAccessKey, string date, string region, string service)
    {
        var k = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secretAccessKey), Encoding.UTF8.GetBytes(date));
        k = HMACSHA256.HashData(k, Encoding.UTF8.GetBytes(region));
        k = HMACSHA256.HashData(k, Encoding.UTF8.GetBytes(service));
        return HMACSHA256.HashData(k, "aws4_request"u8);
    }

    /// <summary>Hex HMAC-SHA256 of the string to sign under the signing key.</summary>
    public static string Signature(byte[] signingKey, string stringToSign) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(signingKey, Encoding.UTF8.GetBytes(stringToSign)));

    /// <summary>Lower-case hex SHA-256.</summary>
    public static string HashHex(ReadOnlySpan<byte> data)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(data, hash);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>RFC 3986 encoding of UTF-8 bytes: unreserved characters stay, everything else is %XX (upper case).</summary>
    public static string UriEncode(string value, bool keepSlash = false)
    {
        var sb = new StringBuilder(value.Length);
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in value.EnumerateRunes())
        {
            if (rune.IsAscii && (char.IsAsciiLetterOrDigit((char)rune.Value) || rune.Value is '-' or '_' or '.' or '~' || (keepSlash && rune.Value == '/')))
            {
                sb.Append((char)rune.Value);
                continue;
            }
            var n = rune.EncodeToUtf8(utf8);
            for (var i = 0; i < n; i++) sb.Append('%').Append(utf8[i].ToString("X2", CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    private static void AppendCanonicalUri(StringBuilder sb, string path)
    {
        if (path.Length == 0 || path[0] != '/') sb.Append('/');
        sb.Append(UriEncode(path, keepSlash: true));
    }

    private static string TrimAll(string value)
    {
        var s = value.Trim(' ', '\t');
        if (s.IndexOf("  ", StringComparison.Ordinal) < 0 && s.IndexOf('\t') < 0) return s;
        var sb = new StringBuilder(s.Length);
        var space = false;
        foreach (var c in s)
        {
            if (c is ' ' or '\t')
            {
                if (!space) sb.Append(' ');
                space = true;
            }
            else
            {
                sb.Append(c);
                space = false;
            }
        }
        return sb.ToString();
    }

    /// <summary>Splits a raw query string ("?a=b&amp;c") into decoded pairs.</summary>
    public static List<KeyValuePair<string, string>> ParseQuery(string query)
    {
        var result = new List<KeyValuePair<string, string>>();
        if (string.IsNullOrEmpty(query)) return result;
        foreach (var part in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=');
            var name = eq < 0 ? part : part[..eq];
            var value = eq < 0 ? string.Empty : part[(eq + 1)..];
            result.Add(new(Uri.UnescapeDataString(name), Uri.UnescapeDataString(value)));
        }
        return result;
    }
}
