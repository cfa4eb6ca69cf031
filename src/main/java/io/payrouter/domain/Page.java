package io.payrouter.domain;

import java.util.List;

/** The first rows of a longer list, and how many rows the whole list has. */
public record Page<T>(List<T> items, long total) {
  public Page {
    items = List.copyOf(items);
  }
}
