using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("Platform.Ops.Tests")]
