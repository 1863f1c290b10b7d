using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Platform.Connectors.Generator.Customers;

/// <summary>
/// Synthetic CDP customers (seed 004 §3) as Segment NDJSON, in event-time order, with ground-truth churn labels.
/// Every user signs up (some browse anonymously first and are then aliased), has sessions at their own rate and
/// does "Category: Action" things in them: deposits and withdrawals, games, bookings, support tickets, Twitch
/// links. Users who churn drift first: sessions thin out, withdrawals rise while deposits and bookings fall,
/// support tickets come, Twitch gets unlinked; some of them stop inside the window, the rest just after it.
/// Users who stay have noise that looks similar (quiet spells, low activity), so the label is learnable but not
/// trivial. Seeded: the same options give the same bytes.
/// </summary>
public sealed class CustomerGenerator : IDisposable
{
    /// <summary>Longest line written (a batch of five messages with room to spare).</summary>
    public const int MaxLineBytes = 8 * 1024;

    private const long Day = 86_400_000;
    private static readonly string[] Pages = ["Home", "Wallet", "Games", "Bookings", "Offers", "Profile"];
    private static readonly string[] Achievements = ["First Win", "Master Trader", "Streak 7", "High Roller", "Explorer"];
    private static readonly string[] Currencies = ["USD", "EUR", "GBP"];

    private readonly CustomerGeneratorOptions _options;
    private readonly CustomerPlan[] _plans;
    private readonly string[] _userIds;
    private readonly PriorityQueue<int, long> _queue = new();
    private readonly ArrayBufferWriter<byte> _pending = new(64 * 1024);
    private readonly ArrayBufferWriter<byte> _message = new(4 * 1024);
    private readonly Utf8JsonWriter _json;
    private readonly List<(int Start, int Length)> _sessionMessages = [];
    private readonly long _start;
    private readonly long _end;
    private Xoshiro256 _rng;
    private int _pendingRead;

    /// <summary>Creates a generator (validates <paramref name="options"/>) and draws every user's plan.</summary>
    public CustomerGenerator(CustomerGeneratorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Validate();
        _rng = new Xoshiro256((ulong)options.Seed ^ 0xC0FFEE_5EEDUL);
        _start = options.Start.ToUnixTimeMilliseconds();
        _end = _start + options.Days * Day;
        _plans = new CustomerPlan[options.Users];
        _userIds = new string[options.Users];
        _json = new Utf8JsonWriter(_message);
        for (var i = 0; i < options.Users; i++)
        {
            _userIds[i] = "u" + i.ToString("D7", CultureInfo.InvariantCulture);
            _plans[i] = DrawPlan(i);
            _queue.Enqueue(i, _plans[i].Anonymous ? _plans[i].SignupAt - (long)(_rng.NextDouble() * 3 * Day) : _plans[i].SignupAt);
        }
    }

    /// <summary>The options in effect.</summary>
    public CustomerGeneratorOptions Options => _options;

    /// <summary>Lines handed out so far (valid and malformed).</summary>
    public long Lines { get; private set; }

    /// <summary>Segment messages handed out so far (a batch line holds several).</summary>
    public long Messages { get; private set; }

    /// <summary>Malformed lines handed out so far.</summary>
    public long MalformedLines { get; private set; }

    /// <summary>Bytes handed out so far.</summary>
    public long Bytes { get; private set; }

    /// <summary>True when every line has been handed out.</summary>
    public bool IsComplete => _queue.Count == 0 && _pendingRead == _pending.WrittenCount;

    /// <summary>The ground truth, one row per user (known from the start).</summary>
    public IEnumerable<CustomerLabel> Labels => _plans.Select(p => new CustomerLabel(_userIds[p.Index], p.Churner));

    /// <summary>Writes whole lines into <paramref name="buffer"/> (at most <paramref name="maxLines"/>); returns the bytes written.</summary>
    public int Fill(Span<byte> buffer, long maxLines = long.MaxValue)
    {
        if (buffer.Length < MaxLineBytes) throw new ArgumentException($"The buffer must hold at least {MaxLineBytes} bytes.", nameof(buffer));
        var written = 0;
        for (long lines = 0; lines < maxLines;)
        {
            if (_pendingRead == _pending.WrittenCount)
            {
                _pending.ResetWrittenCount();
                _pendingRead = 0;
                if (!NextSession()) break;
                continue;
            }
            var rest = _pending.WrittenSpan[_pendingRead..];
            var line = rest[..(rest.IndexOf((byte)'\n') + 1)];
            if (line.Length > buffer.Length - written) break;
            line.CopyTo(buffer[written..]);
            written += line.Length;
            _pendingRead += line.Length;
            lines++;
            Lines++;
        }
        Bytes += written;
        return written;
    }

    /// <summary>Writes the whole stream to <paramref name="stream"/>.</summary>
    public async Task WriteToAsync(Stream stream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var buffer = new byte[1 << 20];
        while (!IsComplete)
        {
            var n = Fill(buffer);
            await stream.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Writes <c>userId,churned</c> (1 or 0) to <paramref name="path"/>.</summary>
    public void WriteLabels(string path)
    {
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false));
        writer.Write("userId,churned\n");
        foreach (var label in Labels) writer.Write($"{label.UserId},{(label.Churned ? 1 : 0)}\n");
    }

    /// <inheritdoc />
    public void Dispose() => _json.Dispose();

    private CustomerPlan DrawPlan(int index)
    {
        var o = _options;
        var p = new CustomerPlan { Index = index, ChurnAt = long.MaxValue, DriftFrom = long.MaxValue, LullFrom = long.MaxValue, LullTo = long.MaxValue };
        p.Churner = _rng.NextDouble() < o.ChurnShare;
        p.Anonymous = _rng.NextDouble() < o.AnonymousShare;
        // Anonymous browsing starts up to 3 days before signup, and no event is before the window's start.
        p.SignupAt = _start + 3 * Day + (long)(_rng.NextDouble() * 0.35 * (_end - _start));
        // Engagement varies a lot between people: a log-normal rate, churners a little lower on average.
        var engagement = Math.Exp(0.6 * Normal()) * (p.Churner ? 0.85 : 1.0);
        p.Rate = o.SessionsPerDay * engagement / Day;
        p.Gamer = _rng.NextDouble();
        p.Saver = _rng.NextDouble() * (p.Churner ? 0.8 : 1.0);
        p.Booker = _rng.NextDouble();
        p.TwitchLinked = _rng.NextDouble() < (p.Churner ? 0.4 : 0.55);
        p.Level = 1 + (int)(p.Gamer * 20 * _rng.NextDouble());
        if (p.Churner)
        {
            var earliest = p.SignupAt + 20 * Day;
            p.ChurnAt = Math.Max(earliest, _start + (long)((0.55 + 0.7 * _rng.NextDouble()) * (_end - _start)));
            p.DriftFrom = p.ChurnAt - (long)((15 + 30 * _rng.NextDouble()) * Day);
        }
        else if (_rng.NextDouble() < 0.3)
        {
            p.LullFrom = p.SignupAt + (long)(_rng.NextDouble() * (_end - p.SignupAt));
            p.LullTo = p.LullFrom + (long)((7 + 18 * _rng.NextDouble()) * Day);
        }
        return p;
    }

    private double Normal()
    {
        var u1 = 1.0 - _rng.NextDouble();
        var u2 = _rng.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>Engagement at <paramref name="time"/>: 1 normally, lower while drifting or in a quiet spell, 0 after churn.</summary>
    private static double Engagement(in CustomerPlan p, long time)
    {
        if (time >= p.ChurnAt) return 0;
        if (time >= p.LullFrom && time < p.LullTo) return 0.1;
        return 1 - 0.85 * p.DriftAt(time);
    }

    /// <summary>Writes the next session of the user due first; false when none is left.</summary>
    private bool NextSession()
    {
        if (!_queue.TryDequeue(out var index, out var time)) return false;
        ref var p = ref _plans[index];
        _sessionMessages.Clear();
        _message.ResetWrittenCount();
        WriteSession(ref p, time);
        Flush();
        // Next session: a Poisson process at the full rate, thinned by the engagement at the candidate time.
        var next = time;
        while (true)
        {
            next += (long)(-Math.Log(1.0 - _rng.NextDouble()) / p.Rate) + 60_000;
            if (next >= _end || next >= p.ChurnAt) return true;
            if (_rng.NextDouble() < Engagement(p, next)) break;
        }
        _queue.Enqueue(index, next);
        return true;
    }

    private void WriteSession(ref CustomerPlan p, long time)
    {
        var user = _userIds[p.Index];
        var anon = "anon-" + ((ulong)Xoshiro256.Mix((ulong)p.Index + 0x5EED)).ToString("x12", CultureInfo.InvariantCulture);
        var t = time;
        if (p.Anonymous && !p.Identified && time < p.SignupAt)
        {
            var views = 1 + _rng.NextInt(3);
            for (var i = 0; i < views; i++) Page(null, anon, Pages[_rng.NextInt(Pages.Length)], t += 4_000);
            return;
        }
        if (!p.Identified)
        {
            if (p.Anonymous) Message("alias", user, null, t += 1_000, "previousId", anon);
            Identify(user, in p, t += 1_000, email: true);
            p.Identified = true;
            if (_rng.NextDouble() < 0.2) Message("group", user, null, t += 1_000, "groupId", "guild-" + _rng.NextInt(200).ToString(CultureInfo.InvariantCulture));
        }
        var drift = p.DriftAt(time);
        Track(user, "Session: Started", t += 2_000);
        var activities = 1 + _rng.NextInt(2);
        for (var i = 0; i < activities; i++) Activity(ref p, user, drift, t += 15_000 + _rng.NextInt(60_000));
        if (p.Churner && drift > 0.3 && p.TwitchLinked && _rng.NextDouble() < 0.3)
        {
            p.TwitchLinked = false;
            Track(user, "Account: Twitch Unlinked", t += 5_000);
            Identify(user, in p, t += 1_000, email: false);
        }
        else if (!p.TwitchLinked && drift == 0 && _rng.NextDouble() < 0.02)
        {
            p.TwitchLinked = true;
            Track(user, "Account: Twitch Linked", t += 5_000);
            Identify(user, in p, t += 1_000, email: false);
        }
    }

    private void Activity(ref CustomerPlan p, string user, double drift, long t)
    {
        Span<double> w =
        [
            0.6 * p.Gamer * (1 - 0.5 * drift),   // gaming
            0.5 * p.Saver * (1 - 0.7 * drift),   // deposit
            0.12 + 0.6 * drift,                  // withdrawal
            0.3 * p.Booker * (1 - 0.8 * drift),  // booking
            0.03 + 0.3 * drift * p.Booker,       // booking cancelled
            0.04 + 0.25 * drift,                 // support ticket
            0.5,                                 // page view
        ];
        var total = 0.0;
        foreach (var x in w) total += x;
        var pick = _rng.NextDouble() * total;
        var k = 0;
        while (k < w.Length - 1 && (pick -= w[k]) > 0) k++;
        switch (k)
        {
            case 0:
                if (_rng.NextDouble() < 0.3)
                {
                    p.Level++;
                    TrackWith(user, "Gaming: Level Up", t, "level", p.Level, null, null);
                }
                else
                {
                    TrackWith(user, "Gaming: Achievement Unlocked", t, "score_value", 10 + _rng.NextInt(500), "achievement_name", Achievements[_rng.NextInt(Achievements.Length)]);
                }
                break;
            case 1:
                var deposit = Math.Round(Math.Exp(5.5 + 1.6 * Normal()), 2);
                p.Balance += deposit;
                TrackWith(user, deposit >= 10_000 ? "Financial: Large Deposit Made" : "Financial: Deposit Made", t, "amount", deposit, "currency", Currencies[_rng.NextInt(Currencies.Length)]);
                break;
            case 2:
                var withdrawal = Math.Round(Math.Max(10, p.Balance * (0.2 + 0.6 * drift) * _rng.NextDouble() + Math.Exp(4 + Normal())), 2);
                p.Balance = Math.Max(0, p.Balance - withdrawal);
                TrackWith(user, "Financial: Withdrawal Made", t, "amount", withdrawal, "currency", Currencies[_rng.NextInt(Currencies.Length)]);
                break;
            case 3:
                TrackWith(user, "Booking: Appointment Booked", t, "duration_minutes", 30 * (1 + _rng.NextInt(3)), "provider", "google");
                break;
            case 4:
                Track(user, "Booking: Appointment Cancelled", t);
                break;
            case 5:
                TrackWith(user, "Support: Ticket Opened", t, "priority", 1 + _rng.NextInt(3), null, null);
                break;
            default:
                Page(user, null, Pages[_rng.NextInt(Pages.Length)], t);
                break;
        }
    }

    private void Track(string user, string name, long t) => Message("track", user, null, t, "event", name);

    private void TrackWith(string user, string name, long t, string numberName, double number, string? textName, string? text)
    {
        Begin("track", user, null, t);
        _json.WriteString("event", name);
        _json.WriteStartObject("properties");
        _json.WriteNumber(numberName, number);
        if (textName is not null) _json.WriteString(textName, text);
        _json.WriteEndObject();
        End();
    }

    private void Page(string? user, string? anon, string name, long t) => Message("page", user, anon, t, "name", name);

    private void Identify(string user, in CustomerPlan p, long t, bool email)
    {
        Begin("identify", user, null, t);
        _json.WriteStartObject("traits");
        if (email) _json.WriteString("email", user + "@example.com");
        _json.WriteNumber("gaming_level", p.Level);
        _json.WriteBoolean("twitch_linked", p.TwitchLinked);
        _json.WriteEndObject();
        End();
    }

    private void Message(string type, string? user, string? anon, long t, string subjectName, string subject)
    {
        Begin(type, user, anon, t);
        _json.WriteString(subjectName, subject);
        End();
    }

    private void Begin(string type, string? user, string? anon, long t)
    {
        _json.Reset(_message);
        _json.WriteStartObject();
        _json.WriteString("type", type);
        Span<byte> id = stackalloc byte[16];
        BitConverter.TryWriteBytes(id, _rng.Next());
        BitConverter.TryWriteBytes(id[8..], _rng.Next());
        _json.WriteString("messageId", new Guid(id));
        if (user is not null) _json.WriteString("userId", user);
        if (anon is not null) _json.WriteString("anonymousId", anon);
        _json.WriteString("timestamp", DateTimeOffset.FromUnixTimeMilliseconds(t).UtcDateTime);
    }

    private void End()
    {
        _json.WriteEndObject();
        _json.Flush();
        var begin = _sessionMessages.Count == 0 ? 0 : _sessionMessages[^1].Start + _sessionMessages[^1].Length;
        _sessionMessages.Add((begin, _message.WrittenCount - begin));
    }

    /// <summary>Moves the session's messages to the pending lines: one per line, or one batch line, some made malformed.</summary>
    private void Flush()
    {
        var bytes = _message.WrittenSpan;
        Messages += _sessionMessages.Count;
        if (_sessionMessages.Count > 1 && _rng.NextDouble() < _options.BatchShare)
        {
            _pending.Write("{\"batch\":["u8);
            for (var i = 0; i < _sessionMessages.Count; i++)
            {
                if (i > 0) _pending.Write(","u8);
                _pending.Write(bytes.Slice(_sessionMessages[i].Start, _sessionMessages[i].Length));
            }
            _pending.Write("],\"sentAt\":\"2026-01-01T00:00:00Z\"}\n"u8);
            return;
        }
        foreach (var (start, length) in _sessionMessages)
        {
            var message = bytes.Slice(start, length);
            if (_options.MalformedShare > 0 && _rng.NextDouble() < _options.MalformedShare)
            {
                MalformedLines++;
                Messages--;
                // Cut the message short: not JSON any more, the pipeline's dead letters get it.
                _pending.Write(message[..(message.Length / 2)]);
            }
            else
            {
                _pending.Write(message);
            }
            _pending.Write("\n"u8);
        }
    }
}
