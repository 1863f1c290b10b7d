namespace Platform.Engine.Symbols;

/// <summary>
/// An interned string (device id, sensor type, unit, user id, event name) as a small integer.
/// The hot path compares symbols, never strings. <see cref="None"/> (0) means "absent".
/// </summary>
public readonly record struct Symbol(int Id)
{
    /// <summary>The absent symbol.</summary>
    public static readonly Symbol None;

    /// <summary>True when this symbol names a value.</summary>
    public bool IsNone => Id == 0;
}
