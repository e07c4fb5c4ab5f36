using System;
using System.IO;
using System.Text.Json;

namespace Notes.Storage
{
    public sealed class JsonFileStore<T> where T : new()
    {
        private readonly string _path;

        public JsonFileStore(string path)
        {
            _path = path;
        }

        public T Load()
        {
            if (!File.Exists(_path))
            {
                return new T();
            }
            var json = File.ReadAllText(_path);
            return JsonSerializer.Deserialize<T>(json) ?? new T();
        }

        public void Save(T value)
        {
            var json = JsonSerializer.Serialize(value);
            File.WriteAllText(_path, json);
        }
    }
}
