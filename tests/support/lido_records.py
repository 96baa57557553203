"""A minimal LIDO record with the given id and title, as the harvest tests' feeds serve them."""

from __future__ import annotations

from xml.sax.saxutils import escape


def lido(record_id: str, title: str, work_type: str = "coin") -> str:
    return f"""<lido:lido xmlns:lido="http://www.lido-schema.org">
  <lido:lidoRecID lido:source="test" lido:type="local">{escape(record_id)}</lido:lidoRecID>
  <lido:descriptiveMetadata xml:lang="en">
    <lido:objectClassificationWrap><lido:objectWorkTypeWrap><lido:objectWorkType>
      <lido:term>{escape(work_type)}</lido:term></lido:objectWorkType></lido:objectWorkTypeWrap></lido:objectClassificationWrap>
    <lido:objectIdentificationWrap><lido:titleWrap><lido:titleSet>
      <lido:appellationValue>{escape(title)}</lido:appellationValue></lido:titleSet></lido:titleWrap>
    </lido:objectIdentificationWrap>
  </lido:descriptiveMetadata>
  <lido:administrativeMetadata xml:lang="en"><lido:recordWrap>
    <lido:recordID lido:type="local">{escape(record_id)}</lido:recordID>
    <lido:recordType><lido:term>item</lido:term></lido:recordType>
    <lido:recordSource><lido:legalBodyName><lido:appellationValue>Test Museum</lido:appellationValue>
    </lido:legalBodyName></lido:recordSource></lido:recordWrap></lido:administrativeMetadata>
</lido:lido>"""
