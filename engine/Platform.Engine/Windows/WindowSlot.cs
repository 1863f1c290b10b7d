using Platform.Engine.Aggregates;

namespace Platform.Engine.Windows;

/// <summary>Life of a window's state.</summary>
internal enum SlotState : byte
{
    Free = 0,
    /// <summary>Not fired yet; fires when the watermark reaches <see cref="WindowSlot.End"/>.</summary>
    Open = 1,
    /// <summary>Fired and kept for late updates until the watermark reaches End + retention.</summary>
    Retained = 2,
}

/// <summary>The state of one key × window, in a struct array.</summary>
internal struct WindowSlot
{
    public long Key;
    public long Start;
    public long End;
    /// <summary>Heap priority: End while open, End + retention while retained.</summary>
    public long DueAt;
    public StatsAccumulator Stats;
    public QuantileSketch Sketch;
    public int HeapPos;
    /// <summary>Next session of the same key; −1 for none.</summary>
    public int Next;
    public SlotState State;
    /// <summary>A result for this window has been emitted before (a later one is an update).</summary>
    public bool Emitted;
}
