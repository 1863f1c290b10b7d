using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Platform.Engine.Batching;
using Platform.Engine.Contracts;
using Platform.Engine.Records;
using Platform.Engine.Runtime;
using Platform.Engine.Windows;
using Platform.Operators.Anomaly;
using Platform.Operators.Quality;
using Platform.Sinks.Alerts;

namespace Platform.Host.Running;

/// <summary>
/// The keyed stage of a YAML telemetry pipeline: the window aggregate, plus — when the YAML names them —
/// the anomaly detector and per-key freshness on the same records and keys. The side operators emit no
/// results; their findings go to the <see cref="AlertHub"/>. One instance per worker (single-threaded).
/// <para>
/// Snapshot: with no side operator, exactly the window operator's snapshot (so older checkpoints still
/// restore); otherwise named sections. A restore takes the sections it knows and starts the others
/// afresh, so a hot reload may add or drop a side operator, or change its options, and keep the windows.
/// </para>
/// </summary>
internal sealed class TelemetryKeyedStage<TKey> : IKeyedOperator<Telemetry, WindowResult>, ILateRecordCounter
    where TKey : struct, IKeySelector<Telemetry>
{
    private const int Magic = 0x45444953; // "SIDE"
    private const string WindowSection = "window";
    private const string AnomalySection = "anomaly";
    private const string FreshnessSection = "key-freshness";
    private const string GeofenceSection = "geofence";
    private const string LocationFraudSection = "location-fraud";

    private readonly WindowStatsOperator<Telemetry, TKey, TelemetryEventTime, TelemetryValue> _windows;
    private readonly AnomalyDetectorOperator<Telemetry, TKey, TelemetryEventTime, TelemetryValue>? _anomaly;
    private readonly AlertingOutput? _anomalyAlerts;
    private readonly KeyFreshnessMonitor? _freshness;
    private readonly DeviceSides? _devices;
    private readonly Action<string>? _log;

    public TelemetryKeyedStage(WindowOperatorOptions windows, IBatchOutput<Telemetry>? late, AnomalyDetectorOptions? anomaly,
        TimeSpan keySilence, Func<long, string> describeKey, AlertHub alerts, Action<string>? log, DeviceSideSettings? devices = null)
    {
        _windows = new WindowStatsOperator<Telemetry, TKey, TelemetryEventTime, TelemetryValue>(windows, late);
        _log = log;
        if (anomaly is not null)
        {
            _anomaly = new AnomalyDetectorOperator<Telemetry, TKey, TelemetryEventTime, TelemetryValue>(anomaly);
            _anomalyAlerts = new AlertingOutput(describeKey, alerts);
        }
        if (keySilence > TimeSpan.Zero)
        {
            _freshness = new KeyFreshnessMonitor(keySilence, describeKey, q => alerts.Publish(AlertConversions.From(q)));
        }
        if (devices is { Any: true }) _devices = new DeviceSides(devices, alerts);
    }

    private bool HasSides => _anomaly is not null || _freshness is not null || _devices?.Geofence is not null || _devices?.Fraud is not null;

    public long LateRecords => _windows.LateRecords;

    public void OnRecords(ReadOnlySpan<Telemetry> input, IBatchOutput<WindowResult> output)
    {
        _windows.OnRecords(input, output);
        _anomaly?.OnRecords(input, _anomalyAlerts!);
        _devices?.OnRecords(input);
        if (_freshness is { } f)
        {
            var key = default(TKey);
            foreach (ref readonly var r in input) f.Observe(key.KeyOf(r), r.Timestamp);
        }
    }

    public void OnWatermark(long watermark, IBatchOutput<WindowResult> output)
    {
        _windows.OnWatermark(watermark, output);
        _anomaly?.OnWatermark(watermark, _anomalyAlerts!);
        _freshness?.OnWatermark(watermark);
        _devices?.OnWatermark(watermark);
    }

    public void Snapshot(IBufferWriter<byte> writer)
    {
        if (!HasSides)
        {
            _windows.Snapshot(writer);
            return;
        }
        var sections = new List<(string, Action<IBufferWriter<byte>>)> { (WindowSection, _windows.Snapshot) };
        if (_anomaly is not null) sections.Add((AnomalySection, _anomaly.Snapshot));
        if (_freshness is not null) sections.Add((FreshnessSection, _freshness.Snapshot));
        if (_devices?.Geofence is { } geofence) sections.Add((GeofenceSection, geofence.Snapshot));
        if (_devices?.Fraud is { } fraud) sections.Add((LocationFraudSection, fraud.Snapshot));
        WriteInt(writer, Magic);
        WriteInt(writer, sections.Count);
        foreach (var (name, snapshot) in sections)
        {
            var body = new ArrayBufferWriter<byte>();
            snapshot(body);
            var nameBytes = Encoding.UTF8.GetBytes(name);
            WriteInt(writer, nameBytes.Length);
            writer.Write(nameBytes);
            WriteInt(writer, body.WrittenCount);
            writer.Write(body.WrittenSpan);
        }
    }

    public void Restore(ReadOnlySequence<byte> snapshot)
    {
        var bytes = snapshot.IsSingleSegment ? snapshot.FirstSpan : snapshot.ToArray();
        if (bytes.Length < 8 || BinaryPrimitives.ReadInt32LittleEndian(bytes) != Magic)
        {
            _windows.Restore(snapshot); // a checkpoint of the window operator alone
            return;
        }
        var count = BinaryPrimitives.ReadInt32LittleEndian(bytes[4..]);
        var at = 8;
        var windowRestored = false;
        for (var i = 0; i < count; i++)
        {
            var nameLength = BinaryPrimitives.ReadInt32LittleEndian(bytes[at..]);
            var name = Encoding.UTF8.GetString(bytes.Slice(at + 4, nameLength));
            at += 4 + nameLength;
            var length = BinaryPrimitives.ReadInt32LittleEndian(bytes[at..]);
            var body = bytes.Slice(at + 4, length);
            at += 4 + length;
            switch (name)
            {
                case WindowSection:
                    _windows.Restore(new ReadOnlySequence<byte>(body.ToArray()));
                    windowRestored = true;
                    break;
                case AnomalySection when _anomaly is not null:
                    try
                    {
                        _anomaly.Restore(new ReadOnlySequence<byte>(body.ToArray()));
                    }
                    catch (InvalidDataException e)
                    {
                        // The detectors changed (a reload): their state no longer fits, so they learn afresh.
                        _log?.Invoke("anomaly state not restored, it starts afresh: " + e.Message);
                    }
                    break;
                case FreshnessSection when _freshness is not null:
                    _freshness.Restore(body);
                    break;
                case GeofenceSection when _devices?.Geofence is { } geofence:
                    RestoreSide(name, geofence.Restore, body.ToArray());
                    break;
                case LocationFraudSection when _devices?.Fraud is { } fraud:
                    RestoreSide(name, fraud.Restore, body.ToArray());
                    break;
            }
        }
        if (!windowRestored) throw new InvalidDataException("The keyed stage's snapshot has no window section.");
    }

    /// <summary>Restores a side operator; state that no longer fits (e.g. the fence file changed) starts afresh.</summary>
    private void RestoreSide(string name, Action<ReadOnlySequence<byte>> restore, byte[] body)
    {
        try
        {
            restore(new ReadOnlySequence<byte>(body));
        }
        catch (InvalidDataException e)
        {
            _log?.Invoke($"{name} state not restored, it starts afresh: {e.Message}");
        }
    }

    private static void WriteInt(IBufferWriter<byte> writer, int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(writer.GetSpan(4), value);
        writer.Advance(4);
    }

    /// <summary>Takes every anomaly score and publishes the alerts among them (rare: the only allocation is per alert).</summary>
    private sealed class AlertingOutput(Func<long, string> describeKey, AlertHub alerts) : IBatchOutput<AnomalyScore>
    {
        public void Emit(in AnomalyScore record)
        {
            if (record.IsAlert) alerts.Publish(AlertConversions.From(record, describeKey(record.Key)));
        }
    }
}
