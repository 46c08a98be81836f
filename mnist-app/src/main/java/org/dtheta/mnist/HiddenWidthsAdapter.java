package org.dtheta.mnist;

import com.google.gson.JsonParseException;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code hidden} field of {@link TrainConfig} in {@code run.json} and {@code
 * checkpoint.json}: written as an array of widths ({@code [32, 16]}, {@code [50]}); read as such
 * an array or as a single number ({@code 50}, runs written before deeper nets), which is the
 * one-hidden-layer net of that width.
 */
final class HiddenWidthsAdapter extends TypeAdapter<List<Integer>> {

  @Override
  public void write(JsonWriter out, List<Integer> widths) throws IOException {
    out.beginArray();
    for (Integer h : widths) {
      out.value(h);
    }
    out.endArray();
  }

  @Override
  public List<Integer> read(JsonReader in) throws IOException {
    JsonToken token = in.peek();
    if (token == JsonToken.NUMBER) {
      return List.of(in.nextInt());
    }
    if (token != JsonToken.BEGIN_ARRAY) {
      throw new JsonParseException("hidden must be a width or an array of widths, not " + token);
    }
    List<Integer> widths = new ArrayList<>();
    in.beginArray();
    while (in.hasNext()) {
      widths.add(in.nextInt());
    }
    in.endArray();
    return widths;
  }
}
