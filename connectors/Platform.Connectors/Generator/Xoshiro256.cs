using System.Numerics;
using System.Runtime.CompilerServices;

namespace Platform.Connectors.Generator;

/// <summary>
/// xoshiro256** — a small, fast PRNG whose output is fixed by its published algorithm (unlike
/// <see cref="Random"/>, whose sequence is an implementation detail), so a seed means the same bytes forever.
/// </summary>
internal struct Xoshiro256
{
    private ulong _s0, _s1, _s2, _s3;

    public Xoshiro256(ulong seed)
    {
        var x = seed;
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
    }

    /// <summary>The SplitMix64 step (used for seeding and for stateless per-device hashes).</summary>
    public static ulong SplitMix(ref ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        return Mix(x);
    }

    /// <summary>SplitMix64's finaliser: a good 64-bit mixing function.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Next()
    {
        var result = BitOperations.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = BitOperations.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double NextDouble() => (Next() >> 11) * (1.0 / 9007199254740992.0);

    /// <summary>Uniform in [0, n) for n ≥ 1 (Lemire's multiply-shift; bias below 2^-32).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int NextInt(int n) => (int)(((Next() >> 32) * (ulong)(uint)n) >> 32);

    /// <summary>Triangular noise in (-1, 1), peaked at 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double NextNoise() => NextDouble() + NextDouble() - 1.0;
}
