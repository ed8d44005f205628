package org.nnc.frontend.check;

import java.util.ArrayList;
import java.util.List;

/** Why a shape rule failed, in the user's terms; the caller decides where to point the caret. */
record Problem(String message, List<String> notes, String help) {
    static Problem of(String message) { return new Problem(message, List.of(), null); }

    Problem note(String n) {
        List<String> l = new ArrayList<>(notes);
        l.add(n);
        return new Problem(message, List.copyOf(l), help);
    }

    Problem help(String h) { return new Problem(message, notes, h); }
}
