using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Platform.Engine.Memory;

namespace Platform.Engine.Tests.Memory;

public class LargeArrayTests
{
    [Fact]
    public void Resize_KeepsTheContents_AndTheGrownPartIsZero()
    {
        var array = LargeArray.Allocate<long>(1_000);
        for (var i = 0; i < array.Length; i++) array[i] = i + 1;
        // 8 MiB: past the size from which arrays are pinned and advised (allocated uninitialised, then cleared).
        LargeArray.Resize(ref array, 1 << 20);
        Assert.Equal(1 << 20, array.Length);
        for (var i = 0; i < 1_000; i++) Assert.Equal(i + 1, array[i]);
        Assert.All(array.AsSpan(1_000).ToArray(), v => Assert.Equal(0, v));
        var fresh = LargeArray.Allocate<long>(1 << 20);
        Assert.Equal(0, fresh.Max());
    }

    [Fact]
    public void LargeArray_OnLinux_LiesInMemoryAdvisedForHugePages()
    {
        var array = LargeArray.Allocate<long>(1 << 20);
        var middle = AddressOf(array) + (ulong)(array.Length * sizeof(long) / 2);
        // /proc/self/smaps: the mapping holding the array's middle carries VmFlags "hg" (MADV_HUGEPAGE).
        Assert.Contains("hg", VmFlagsAt(middle));
    }

    private static unsafe ulong AddressOf(long[] array) => (ulong)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));

    private static string[] VmFlagsAt(ulong address)
    {
        var inMapping = false;
        foreach (var line in File.ReadLines("/proc/self/smaps"))
        {
            var dash = line.IndexOf('-', StringComparison.Ordinal);
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (dash > 0 && space > dash && ulong.TryParse(line.AsSpan(0, dash), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var start)
                && ulong.TryParse(line.AsSpan(dash + 1, space - dash - 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var end))
            {
                inMapping = address >= start && address < end;
                continue;
            }
            if (inMapping && line.StartsWith("VmFlags:", StringComparison.Ordinal)) return line["VmFlags:".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        }
        return [];
    }
}
