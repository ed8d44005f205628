package org.nnc.nn;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** A list of modules registered as 0, 1, 2 …; iterate it in a forward pass. */
public class ModuleList extends Module implements Iterable<Module> {
    public ModuleList(List<? extends Module> modules) {
        for (int i = 0; i < modules.size(); i++) registerModule(String.valueOf(i), modules.get(i));
    }

    public Module get(int i) { return children().get(String.valueOf(i)); }

    public int size() { return children().size(); }

    @Override
    public Iterator<Module> iterator() { return new ArrayList<>(children().values()).iterator(); }
}
