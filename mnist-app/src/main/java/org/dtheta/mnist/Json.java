package org.dtheta.mnist;

import com.google.gson.FieldNamingPolicy;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.dtheta.nn.io.AtomicFiles;
import org.dtheta.nn.io.FileFormatException;

/** The JSON of run metadata and checkpoints: snake_case fields, pretty-printed, atomic writes. */
final class Json {

  static final Gson GSON =
      new GsonBuilder()
          .setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES)
          .serializeSpecialFloatingPointValues()
          .serializeNulls()
          .setPrettyPrinting()
          .create();

  private Json() {}

  /** Atomically writes {@code value} as JSON to {@code file}. */
  static void write(Path file, Object value) throws IOException {
    AtomicFiles.writeString(file, GSON.toJson(value) + "\n");
  }

  /** Reads {@code file} as a JSON object, naming the file when it is not one. */
  static JsonObject readObject(Path file) throws IOException {
    try {
      JsonElement e = GSON.fromJson(Files.readString(file), JsonElement.class);
      if (e == null || !e.isJsonObject()) {
        throw new FileFormatException(file, "not a JSON object");
      }
      return e.getAsJsonObject();
    } catch (JsonParseException e) {
      throw new FileFormatException(file, "malformed JSON (" + e.getMessage() + ")", e);
    }
  }

  /** Field {@code name} of {@code object} as a {@code type}, naming file and field if absent or wrong. */
  static <T> T field(Path file, JsonObject object, String name, Class<T> type) throws IOException {
    JsonElement e = object.get(name);
    if (e == null || e.isJsonNull()) {
      throw new FileFormatException(file, "missing field '" + name + "'");
    }
    try {
      T value = GSON.fromJson(e, type);
      if (value == null) {
        throw new FileFormatException(file, "empty field '" + name + "'");
      }
      return value;
    } catch (RuntimeException ex) {
      // Gson wraps what a record's constructor rejects; the innermost message says what is wrong.
      Throwable root = ex;
      while (root.getCause() != null) {
        root = root.getCause();
      }
      throw new FileFormatException(file, "bad field '" + name + "': " + root.getMessage(), ex);
    }
  }
}
