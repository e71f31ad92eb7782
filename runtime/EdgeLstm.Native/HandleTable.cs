namespace EdgeLstm.Native;

/// <summary>
/// Opaque handles for C: small integers looked up in a table, never raw pointers, so a null, freed or made-up
/// handle is an InvalidHandle error rather than a crash. Thread-safe.
/// </summary>
internal static class HandleTable
{
    private static readonly Lock Gate = new();
    private static readonly Dictionary<nint, object> Live = [];
    private static nint _next = 0x1000;

    public static nint Add(object target)
    {
        lock (Gate)
        {
            _next += 8;
            Live.Add(_next, target);
            return _next;
        }
    }

    public static T Get<T>(nint handle, string what) where T : class
    {
        lock (Gate)
        {
            if (Live.TryGetValue(handle, out object? target) && target is T typed) return typed;
        }
        throw new NativeException(NativeStatus.InvalidHandle, handle == 0 ? $"{what} handle is NULL" : $"{what} handle {handle:x} is not a live {what}");
    }

    public static T Remove<T>(nint handle, string what) where T : class
    {
        lock (Gate)
        {
            if (Live.TryGetValue(handle, out object? target) && target is T typed)
            {
                Live.Remove(handle);
                return typed;
            }
        }
        throw new NativeException(NativeStatus.InvalidHandle, handle == 0 ? $"{what} handle is NULL" : $"{what} handle {handle:x} is not a live {what} (freed twice?)");
    }
}
