using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Platform.Engine.Memory;

/// <summary>
/// Arrays of keyed state that are read at random places (hash maps, slot tables). From 4 MiB up they are pinned, so
/// their address never changes, and on Linux the 2 MiB-aligned part is advised for transparent huge pages before
/// the first touch: a few TLB entries then cover tens of megabytes, and a random access costs a cache miss but no
/// page walk (under virtualisation a walk costs about as much again). Elsewhere, or when the advice is refused, they
/// are plain arrays, as are arrays of types holding references. The contents are zeroed, as <c>new T[n]</c>'s are.
/// </summary>
public static unsafe partial class LargeArray
{
    /// <summary>A transparent huge page on x64 Linux: 2 MiB.</summary>
    public const nuint HugePage = 2 * 1024 * 1024;
    private const int MadvHugePage = 14;

    /// <summary>Set once madvise cannot be called here (no such entry point in the C library found as "libc").</summary>
    private static bool s_noAdvice;

    /// <summary>A zeroed array of <paramref name="length"/> elements, advised for huge pages when it is large enough and holds no references.</summary>
    public static T[] Allocate<T>(int length)
    {
        var bytes = (nuint)length * (nuint)Unsafe.SizeOf<T>();
        if (bytes < 2 * HugePage || RuntimeHelpers.IsReferenceOrContainsReferences<T>() || !OperatingSystem.IsLinux() || s_noAdvice) return new T[length];
        var array = GC.AllocateUninitializedArray<T>(length, pinned: true);
        var start = (nuint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
        var first = (start + HugePage - 1) & ~(HugePage - 1);
        var last = (start + bytes) & ~(HugePage - 1);
        if (last > first) TryAdvise((void*)first, last - first);
        // The first touch: pages not faulted in yet come in as huge pages.
        array.AsSpan().Clear();
        return array;
    }

    /// <summary><see cref="Array.Resize{T}"/> through <see cref="Allocate{T}"/>.</summary>
    public static void Resize<T>(ref T[] array, int length)
    {
        var resized = Allocate<T>(length);
        array.AsSpan(0, Math.Min(array.Length, length)).CopyTo(resized);
        array = resized;
    }

    /// <summary>Advises <paramref name="bytes"/> at <paramref name="address"/> (2 MiB-aligned) for huge pages; failure only costs speed.</summary>
    public static void TryAdvise(void* address, nuint bytes)
    {
        if (!OperatingSystem.IsLinux() || s_noAdvice) return;
        try
        {
            _ = Advise(address, bytes, MadvHugePage);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            s_noAdvice = true; // plain pages: slower lookups, same results
        }
    }

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Advise(void* address, nuint length, int advice);
}
