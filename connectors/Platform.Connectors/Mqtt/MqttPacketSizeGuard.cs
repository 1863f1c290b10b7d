using System.Buffers;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using MQTTnet;
using MQTTnet.Adapter;
using MQTTnet.Channel;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Exceptions;
using MQTTnet.Formatter;
using MQTTnet.Implementations;

namespace Platform.Connectors.Mqtt;

/// <summary>
/// Builds MQTTnet's TCP channel adapter with a <see cref="MqttPacketSizeGuard"/> between the socket
/// and the packet reader. MQTTnet allocates a packet's body from the length in its fixed header,
/// and the MQTT 5 Maximum Packet Size we send in CONNECT binds only a well-behaved broker.
/// </summary>
internal sealed class GuardedMqttAdapterFactory(int maxPacketBytes) : IMqttClientAdapterFactory
{
    public IMqttChannelAdapter CreateClientAdapter(MqttClientOptions options, MqttPacketInspector packetInspector, IMqttNetLogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.ChannelOptions is not MqttClientTcpOptions) throw new NotSupportedException("The MQTT source connects over TCP (optionally TLS).");
        var channel = new MqttPacketSizeGuard(new MqttTcpChannel(options), maxPacketBytes);
        var formatter = new MqttPacketFormatterAdapter(options.ProtocolVersion, new MqttBufferWriter(options.WriterBufferSize, options.WriterBufferSizeMax));
        return new MqttChannelAdapter(channel, formatter, logger)
        {
            AllowPacketFragmentation = options.AllowPacketFragmentation,
            PacketInspector = packetInspector,
        };
    }
}

/// <summary>
/// Follows the MQTT framing of the bytes read from the broker (type byte, variable-length
/// remaining length, body) and fails the read whose bytes complete a fixed header announcing a
/// packet larger than the limit — before the packet reader sees that length, so nothing is
/// allocated for it. The connection is dropped (and the reconnect loop takes over).
/// </summary>
internal sealed class MqttPacketSizeGuard(IMqttChannel inner, int maxPacketBytes) : IMqttChannel
{
    private enum State
    {
        Type,
        Length,
        Body,
    }

    private State _state = State.Type;
    private long _length;
    private int _lengthBytes;
    private long _bodyLeft;

    /// <summary>Oversized packets refused (process-wide, for tests and metrics).</summary>
    internal static long Refused;

    public X509Certificate2 ClientCertificate => inner.ClientCertificate;

    public EndPoint RemoteEndPoint => inner.RemoteEndPoint;

    public EndPoint LocalEndPoint => inner.LocalEndPoint;

    public bool IsSecureConnection => inner.IsSecureConnection;

    public Task ConnectAsync(CancellationToken cancellationToken) => inner.ConnectAsync(cancellationToken);

    public Task DisconnectAsync(CancellationToken cancellationToken) => inner.DisconnectAsync(cancellationToken);

    public Task WriteAsync(ReadOnlySequence<byte> buffer, bool isEndOfPacket, CancellationToken cancellationToken) => inner.WriteAsync(buffer, isEndOfPacket, cancellationToken);

    public async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        var read = await inner.ReadAsync(buffer, offset, count, cancellationToken).ConfigureAwait(false);
        Follow(buffer.AsSpan(offset, read));
        return read;
    }

    /// <summary>Advances the framing state over <paramref name="bytes"/>; throws on an oversized or malformed length.</summary>
    internal void Follow(ReadOnlySpan<byte> bytes)
    {
        var at = 0;
        while (at < bytes.Length)
        {
            switch (_state)
            {
                case State.Type:
                    at++;
                    _state = State.Length;
                    _length = 0;
                    _lengthBytes = 0;
                    break;
                case State.Length:
                    var b = bytes[at++];
                    _length |= (long)(b & 0x7F) << (7 * _lengthBytes);
                    _lengthBytes++;
                    if ((b & 0x80) != 0)
                    {
                        if (_lengthBytes == 4) throw new MqttProtocolViolationException("The broker sent a remaining length longer than 4 bytes.");
                        break;
                    }
                    var total = 1 + _lengthBytes + _length;
                    if (total > maxPacketBytes)
                    {
                        Interlocked.Increment(ref Refused);
                        throw new MqttCommunicationException($"The broker announced a {total}-byte packet; the maximum packet size is {maxPacketBytes} bytes. Dropping the connection before reading it.");
                    }
                    _bodyLeft = _length;
                    _state = _bodyLeft == 0 ? State.Type : State.Body;
                    break;
                default:
                    var skip = (int)Math.Min(_bodyLeft, bytes.Length - at);
                    at += skip;
                    _bodyLeft -= skip;
                    if (_bodyLeft == 0) _state = State.Type;
                    break;
            }
        }
    }

    public void Dispose() => inner.Dispose();
}
