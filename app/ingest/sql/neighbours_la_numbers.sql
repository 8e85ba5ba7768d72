-- neighbours_la_numbers: the current LAs by DfE 3-digit LA number (filled by the boundaries
-- importer), which the statistical neighbour workbook is keyed by.
-- Params: none. Run by: the neighbours importer (neighbours.py).
SELECT la_number, code FROM area WHERE level = 'local_authority' AND la_number IS NOT NULL
