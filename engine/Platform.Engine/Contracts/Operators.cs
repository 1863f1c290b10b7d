using System.Buffers;
using Platform.Engine.Batching;

namespace Platform.Engine.Contracts;

/// <summary>A stateless operator over a span of records; neighbours of this kind are fused into one stage.</summary>
public interface IBatchOperator<TIn, TOut>
{
    /// <summary>Processes <paramref name="input"/>, emitting into <paramref name="output"/>.</summary>
    void Process(ReadOnlySpan<TIn> input, IBatchOutput<TOut> output);
}

/// <summary>
/// A stateful operator that owns the state of the keys routed to its worker. Single-threaded: one
/// instance per keyed worker, so its state needs no locks.
/// </summary>
public interface IKeyedOperator<TIn, TOut>
{
    /// <summary>Takes records (all of keys owned by this worker).</summary>
    void OnRecords(ReadOnlySpan<TIn> input, IBatchOutput<TOut> output);

    /// <summary>Event time advanced to <paramref name="watermark"/>: fire windows and timers up to it.</summary>
    void OnWatermark(long watermark, IBatchOutput<TOut> output);

    /// <summary>Writes the operator's whole state (versioned binary).</summary>
    void Snapshot(IBufferWriter<byte> writer);

    /// <summary>Replaces the operator's state with a snapshot.</summary>
    void Restore(ReadOnlySequence<byte> snapshot);
}
